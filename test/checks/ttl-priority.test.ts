// priority-order, expired-to-dead-letter and message-ttl over literal histories.
import { describe, expect, it } from 'vitest';
import { expiredToDeadLetter, messageTtl, priorityOrder } from '../../src/checks/ttl-priority.js';
import type { Operation } from '../../src/runner/history.js';

const produce = (key: string, t: number, tags: string[]): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'tickets', key, value: { ticketId: key, tags } });
const call = (key: string, arrivedAt: number): Operation => ({ t: arrivedAt + 30, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'agent-api', key, value: { arrivedAt, status: 200 } });
const config = (role: string, args: Record<string, unknown>): Operation => ({ t: 9_000, process: 'lab', kind: 'observe', outcome: 'ok', key: 'amqp-queue-config', value: { role, queue: role, exists: true, durable: true, type: 'classic', bindings: [], arguments: args } });
const dead = (key: string, type: string, reason: string, queue: string): Operation => ({ t: 9_000, process: 'lab', kind: 'dead-letter', outcome: 'ok', stream: 'dead-letter', key, value: { type, reason, queue, originalExpiration: null } });
const delivered = (key: string, type: string): Operation => ({ t: 8_900, process: 'lab', kind: 'consume', outcome: 'ok', stream: 'notifications', key, value: { type } });

const calls = { kind: 'call' as const, stream: 'agent-api' };
const deadLetters = { kind: 'dead-letter' as const, stream: 'dead-letter' };
const dlx = { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'expired' };

describe('priority-order', () => {
  const params = priorityOrder.parseParams({ subject: 'ticket', produced: 'tickets', calls, burstTag: 'rush', queueRole: 'tickets', minPriority: 9 });
  const burst = [produce('n1', 100, ['normal', 'rush']), produce('n2', 102, ['normal', 'rush']), produce('u1', 104, ['urgent', 'rush']), produce('u2', 106, ['urgent', 'rush'])];
  it('passes when the urgent tickets were taken before every normal one', () => {
    const result = priorityOrder.run([...burst, call('u1', 200), call('u2', 240), call('n1', 280), call('n2', 320), config('tickets', { 'x-max-priority': 10 })], params);
    expect(result.status).toBe('pass');
    expect(result.observed).toContain('U U n n');
  });
  it('blames a queue without x-max-priority for a first-in-first-out order', () => {
    const result = priorityOrder.run([...burst, call('n1', 200), call('n2', 240), call('u1', 280), call('u2', 320), config('tickets', dlx)], params);
    expect(result).toMatchObject({ status: 'fail', cause: 'no-max-priority' });
    expect(result.examples[0]).toContain('urgent u1 was taken 80 ms after normal n1');
  });
  it('blames a consumer that took tickets early when the queue is a priority queue', () => {
    const result = priorityOrder.run([...burst, call('n1', 200), call('u1', 240), call('u2', 280), call('n2', 320), config('tickets', { 'x-max-priority': 10 })], params);
    expect(result).toMatchObject({ status: 'fail', cause: 'prefetched' });
  });
  it('a max priority below the urgent one counts as none', () => {
    const result = priorityOrder.run([...burst, call('n1', 200), call('n2', 240), call('u1', 280), call('u2', 320), config('tickets', { 'x-max-priority': 2 })], params);
    expect(result.cause).toBe('no-max-priority');
  });
  it('names tickets of the burst that were never taken', () => {
    const result = priorityOrder.run([...burst, call('u1', 200), call('u2', 240), call('n1', 280), config('tickets', { 'x-max-priority': 10 })], params);
    expect(result).toMatchObject({ status: 'fail', cause: 'not-taken' });
  });
  it('burst tickets never taken after the program exited: program-exited', () => {
    const exit: Operation = { t: 290, process: 'learner-1', kind: 'process', outcome: 'fail', value: { event: 'exit', code: 1, signal: null, byLab: false } };
    const result = priorityOrder.run([...burst, call('u1', 200), call('u2', 240), call('n1', 280), exit, config('tickets', { 'x-max-priority': 10 })], params);
    expect(result).toMatchObject({ status: 'fail', cause: 'program-exited' });
  });
  it('the prefetched cause names a second consumer too', () => {
    expect(priorityOrder.causes?.prefetched).toContain('one consumer on one channel');
  });
});

describe('expired-to-dead-letter', () => {
  const params = expiredToDeadLetter.parseParams({ subject: 'ticket', produced: 'tickets', calls, deadLetters, staleTag: 'stale', queueRole: 'tickets', ttlMs: 3_000 });
  const sent = [produce('r1', 100, ['normal', 'rush']), produce('s1', 1_000, ['normal', 'stale']), produce('s2', 1_010, ['normal', 'stale'])];
  const ttlQueue = config('tickets', { ...dlx, 'x-message-ttl': 3_000, 'x-max-priority': 10 });
  it('passes when every stale ticket expired into the dead-letter queue, untouched', () => {
    const result = expiredToDeadLetter.run([...sent, call('r1', 200), dead('s1', 'ticket', 'expired', 'tickets'), dead('s2', 'ticket', 'expired', 'tickets'), ttlQueue], params);
    expect(result.status).toBe('pass');
  });
  it('tickets handled after their TTL: no queue TTL', () => {
    const result = expiredToDeadLetter.run([...sent, call('r1', 200), call('s1', 5_000), call('s2', 5_050), config('tickets', dlx)], params);
    expect(result).toMatchObject({ status: 'fail', cause: 'no-queue-ttl' });
    expect(result.examples[0]).toContain('4000 ms after it was published');
  });
  it('tickets handled after their TTL from a queue that has one: prefetched', () => {
    const result = expiredToDeadLetter.run([...sent, call('r1', 200), call('s1', 5_000), call('s2', 5_050), ttlQueue], params);
    expect(result.cause).toBe('prefetched');
  });
  it('stale tickets that reached the agent before their TTL never went stale: never a pass (the lab held the agent)', () => {
    // Taken while the agent was busy with another ticket: an ack on arrival, a second consumer.
    const early = expiredToDeadLetter.run([...sent, call('r1', 200), call('s1', 1_020), call('s2', 1_030), ttlQueue], params);
    expect(early).toMatchObject({ status: 'fail', cause: 'prefetched' });
    expect(early.observed).toContain('while it was still busy');
    // No TTL at all, and a client timeout let them reach the agent early: no-queue-ttl.
    const noTtl = expiredToDeadLetter.run([...sent, call('r1', 200), call('s1', 2_500), call('s2', 2_530), dead('s9', 'callback-offer', 'expired', 'notifications'), config('tickets', { ...dlx, 'x-max-priority': 10 })], params);
    expect(noTtl).toMatchObject({ status: 'fail', cause: 'no-queue-ttl' });
  });
  it('a ticket the program timed out on, requeued and then saw expire: not expired too soon (a client timeout)', () => {
    const gaveUp = (key: string, arrivedAt: number, attempt: number): Operation => ({ t: 4_200, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'agent-api', key, attempt, value: { arrivedAt, status: 200, callerGaveUp: true } });
    const blocker = produce('b1', 900, ['normal', 'blocker']);
    const history = [...sent, blocker, call('r1', 200), gaveUp('b1', 920, 1), gaveUp('b1', 2_430, 2), dead('b1', 'ticket', 'expired', 'tickets'), dead('s1', 'ticket', 'expired', 'tickets'), dead('s2', 'ticket', 'expired', 'tickets'), ttlQueue];
    expect(expiredToDeadLetter.run(history, params).status).toBe('pass');
    // Answered once, then expired: too soon after all.
    expect(expiredToDeadLetter.run([...history, call('b1', 4_300)], params).cause).toBe('expired-too-soon');
  });
  it('a stale ticket taken within its TTL, given up on (client timeout), then expired on requeue: a pass', () => {
    const gaveUp: Operation = { t: 5_000, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'agent-api', key: 's1', attempt: 1, value: { arrivedAt: 3_990, status: 200, callerGaveUp: true } };
    const result = expiredToDeadLetter.run([...sent, call('r1', 200), gaveUp, dead('s1', 'ticket', 'expired', 'tickets'), dead('s2', 'ticket', 'expired', 'tickets'), ttlQueue], params);
    expect(result.status).toBe('pass');
  });
  it('a stale ticket taken right at its TTL\'s edge is excused, the rest must have expired; all at the edge is no evidence', () => {
    const edge = expiredToDeadLetter.run([...sent, call('r1', 200), call('s1', 4_002), dead('s2', 'ticket', 'expired', 'tickets'), ttlQueue], params);
    expect(edge.status).toBe('pass');
    expect(edge.observed).toContain('s1 reached your program right at its TTL');
    const allEdge = expiredToDeadLetter.run([...sent, call('r1', 200), call('s1', 4_002), call('s2', 4_012), ttlQueue], params);
    expect(allEdge.status).toBe('unknown');
  });
  it('tickets that expired because the program had exited: program-exited, not the TTL', () => {
    const exit: Operation = { t: 2_100, process: 'learner-1', kind: 'process', outcome: 'fail', value: { event: 'exit', code: 1, signal: null, byLab: false } };
    const history = [...sent, exit, dead('r1', 'ticket', 'expired', 'tickets'), dead('s1', 'ticket', 'expired', 'tickets'), dead('s2', 'ticket', 'expired', 'tickets'), ttlQueue];
    const result = expiredToDeadLetter.run(history, params);
    expect(result).toMatchObject({ status: 'fail', cause: 'program-exited' });
    expect(result.observed).toContain('your program had exited at 2.1s');
    // Without the exit, the same expiry is a TTL too short.
    expect(expiredToDeadLetter.run(history.filter((op) => op !== exit), params).cause).toBe('expired-too-soon');
  });
  it('rejected by the program, not expired', () => {
    const result = expiredToDeadLetter.run([...sent, call('r1', 200), dead('s1', 'ticket', 'rejected', 'tickets'), dead('s2', 'ticket', 'rejected', 'tickets'), config('tickets', dlx)], params);
    expect(result).toMatchObject({ status: 'fail', cause: 'rejected' });
    expect(result.observed).toContain('"rejected"');
  });
  it('vanished: no dead-letter exchange, or one the dead-letter queue is not bound to with the right key', () => {
    expect(expiredToDeadLetter.run([...sent, call('r1', 200), config('tickets', { 'x-message-ttl': 3_000 })], params).cause).toBe('no-dead-letter-exchange');
    expect(expiredToDeadLetter.run([...sent, call('r1', 200), config('tickets', { 'x-dead-letter-exchange': 'dlx', 'x-message-ttl': 3_000 })], params).cause).toBe('not-routed');
  });
  it('tickets that were meant to be handled expired: the TTL is too short', () => {
    const result = expiredToDeadLetter.run([...sent, dead('r1', 'ticket', 'expired', 'tickets'), dead('s1', 'ticket', 'expired', 'tickets'), dead('s2', 'ticket', 'expired', 'tickets'), config('tickets', { ...dlx, 'x-message-ttl': 3 })], params);
    expect(result).toMatchObject({ status: 'fail', cause: 'expired-too-soon' });
  });
});

describe('message-ttl', () => {
  const params = messageTtl.parseParams({ subject: 'ticket', produced: 'tickets', calls, delivered: { kind: 'consume', stream: 'notifications' }, deadLetters, keptType: 'receipt', expiringType: 'callback-offer', notifyRole: 'notifications', ttlMs: 1_000 });
  const handled = [produce('u1', 100, ['urgent', 'rush']), produce('n1', 110, ['normal', 'rush']), call('u1', 200), call('n1', 240)];
  it('passes when receipts stayed and offers expired', () => {
    const result = messageTtl.run([...handled, delivered('u1', 'receipt'), delivered('n1', 'receipt'), dead('u1', 'callback-offer', 'expired', 'notifications'), config('notifications', dlx)], params);
    expect(result.status).toBe('pass');
  });
  it('receipts expired with a queue TTL: ttl-on-queue; without one: expires-everything', () => {
    const history = [...handled, dead('u1', 'receipt', 'expired', 'notifications'), dead('n1', 'receipt', 'expired', 'notifications'), dead('u1', 'callback-offer', 'expired', 'notifications')];
    expect(messageTtl.run([...history, config('notifications', { ...dlx, 'x-message-ttl': 1_000 })], params).cause).toBe('ttl-on-queue');
    expect(messageTtl.run([...history, config('notifications', dlx)], params).cause).toBe('expires-everything');
  });
  it('an offer still there long after its TTL: offer-kept', () => {
    const result = messageTtl.run([...handled, delivered('u1', 'receipt'), delivered('n1', 'receipt'), delivered('u1', 'callback-offer'), config('notifications', dlx)], params);
    expect(result).toMatchObject({ status: 'fail', cause: 'offer-kept' });
  });
  it('offers in neither queue: by the queue\'s dead-letter arguments', () => {
    const history = [...handled, delivered('u1', 'receipt'), delivered('n1', 'receipt')];
    expect(messageTtl.run([...history, config('notifications', {})], params).cause).toBe('no-dead-letter-exchange');
    expect(messageTtl.run([...history, config('notifications', { 'x-dead-letter-exchange': 'dlx' })], params).cause).toBe('not-routed');
  });
  it('no urgent ticket handled at all: nothing-due; none published by the lab: unknown', () => {
    expect(messageTtl.run([produce('u1', 100, ['urgent', 'rush']), config('notifications', dlx)], params)).toMatchObject({ status: 'fail', cause: 'nothing-due' });
    expect(messageTtl.run([produce('n1', 100, ['normal', 'rush']), call('n1', 200), config('notifications', dlx)], params).status).toBe('unknown');
  });
  it('nothing published at all: not-published', () => {
    expect(messageTtl.run([...handled, config('notifications', dlx)], params).cause).toBe('not-published');
  });
  it('no receipt is due for a ticket the program gave up on (its call timed out)', () => {
    const gaveUp: Operation = { t: 4_200, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'agent-api', key: 'n2', attempt: 1, value: { arrivedAt: 300, status: 200, callerGaveUp: true } };
    const result = messageTtl.run([...handled, produce('n2', 120, ['normal', 'blocker']), gaveUp, delivered('u1', 'receipt'), delivered('n1', 'receipt'), dead('u1', 'callback-offer', 'expired', 'notifications'), config('notifications', dlx)], params);
    expect(result.status).toBe('pass');
  });
  it('offers missing after the program exited: program-exited, not the queue\'s dead-letter arguments', () => {
    const exit: Operation = { t: 300, process: 'learner-1', kind: 'process', outcome: 'fail', value: { event: 'exit', code: 1, signal: null, byLab: false } };
    const result = messageTtl.run([...handled, exit, delivered('u1', 'receipt'), delivered('n1', 'receipt'), config('notifications', dlx)], params);
    expect(result).toMatchObject({ status: 'fail', cause: 'program-exited' });
    expect(result.observed).toMatch(/^your program had exited at 0\.3s/);
  });
});
