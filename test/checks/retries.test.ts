// Unit tests of dead-lettering, acks/prefetch and subscription checks over literal histories.
import { describe, expect, it } from 'vitest';
import { deadLetteredAfterAttempts } from '../../src/checks/dead-letter.js';
import { boundedPrefetch, durableQueues, manualAck, resubscribed, subscribed } from '../../src/checks/observations.js';
import type { Operation } from '../../src/runner/history.js';

const task = (key: string, tags: string[] = []): Operation => ({ t: 0, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'tasks', key, value: { tags } });
const call = (key: string, outcome: Operation['outcome']): Operation => ({ t: 1, process: 'downstream', kind: 'call', outcome, stream: 'thumbnail-api', key });
const dead = (key: string, reason: string | null = 'delivery_limit'): Operation => ({ t: 2, process: 'lab', kind: 'dead-letter', outcome: 'ok', stream: 'dead-letter', key, value: { reason } });
const params = {
  subject: 'task',
  attempts: 3,
  poisonTag: 'poison',
  flakyTag: 'transient',
  bodyFields: [] as string[],
  calls: { kind: 'call', stream: 'thumbnail-api' },
  deadLetters: { kind: 'dead-letter', stream: 'dead-letter' },
} as const;
const poisonAttempts = (n: number) => Array.from({ length: n }, () => call('p1', 'fail'));

describe('dead-lettered-after-attempts', () => {
  it('passes: exactly 3 attempts, then the dead-letter queue, with a reason', () => {
    const h = [task('t1'), task('p1', ['poison']), call('t1', 'ok'), ...poisonAttempts(3), dead('p1')];
    expect(deadLetteredAfterAttempts.run(h, params).status).toBe('pass');
  });

  it('fails an infinite requeue loop: retried forever', () => {
    const r = deadLetteredAfterAttempts.run([task('p1', ['poison']), ...poisonAttempts(250)], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'retried-forever', observed: '1 retried without end' });
    expect(r.examples[0]).toBe('p1 was attempted 250 times (expected exactly 3) and never dead-lettered');
  });

  it('fails a drop: right number of attempts, then gone', () => {
    const r = deadLetteredAfterAttempts.run([task('p1', ['poison']), ...poisonAttempts(3)], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'dropped', observed: '1 dropped instead of dead-lettered' });
  });

  it('fails an off-by-one limit (4 attempts): too many attempts', () => {
    const r = deadLetteredAfterAttempts.run([task('p1', ['poison']), ...poisonAttempts(4), dead('p1')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'too-many-attempts' });
    expect(r.examples[0]).toBe('p1 was attempted 4 times, expected exactly 3');
  });

  it('counts an attempt cut short by a kill either way: 2 answered + 1 cut, or 3 answered + 1 cut, is exactly 3', () => {
    const cut: Operation = { ...call('p1', 'info'), t: 5 };
    expect(deadLetteredAfterAttempts.run([task('p1', ['poison']), call('p1', 'fail'), cut, call('p1', 'fail'), dead('p1')], params).status).toBe('pass');
    expect(deadLetteredAfterAttempts.run([task('p1', ['poison']), call('p1', 'fail'), cut, call('p1', 'fail'), call('p1', 'fail'), dead('p1')], params).status).toBe('pass');
  });

  it('fails a count kept in memory: more attempts, with a kill between them', () => {
    const kill: Operation = { t: 5, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 1, phase: 'start', signal: 'SIGKILL' } };
    const at = (t: number, outcome: Operation['outcome']): Operation => ({ ...call('p1', outcome), t });
    const h = [task('p1', ['poison']), at(1, 'fail'), at(5, 'info'), kill, at(8, 'fail'), at(9, 'fail'), at(10, 'fail'), dead('p1')];
    const r = deadLetteredAfterAttempts.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'count-reset-by-restart' });
    expect(r.examples[0]).toBe('p1 was attempted 5 times (1 cut short by a kill), expected 3: the count started over after your program was killed at 0.0s, between its attempts');
  });

  it('fails a dead-letter without a reason', () => {
    const r = deadLetteredAfterAttempts.run([task('p1', ['poison']), ...poisonAttempts(3), dead('p1', null)], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'no-reason', observed: '1 dead-lettered without a reason' });
  });

  it('fails a message dead-lettered twice, and says so (never an empty observation)', () => {
    const r = deadLetteredAfterAttempts.run([task('p1', ['poison']), ...poisonAttempts(3), dead('p1'), dead('p1')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'dead-lettered-twice', observed: '1 dead-lettered more than once' });
  });

  it('fails a dead-lettered copy that lost the task\'s body or its messageId', () => {
    const withBody = { ...params, bodyFields: ['taskId', 'image'] };
    const sentTask: Operation = { ...task('p1', ['poison']), value: { taskId: 'p1', image: 'a.jpg', tags: ['poison'] } };
    const copy = (body: Record<string, unknown>, messageId: string | null = 'p1'): Operation => ({ ...dead('p1'), value: { reason: 'delivery_limit', body, messageId } });
    expect(deadLetteredAfterAttempts.run([sentTask, ...poisonAttempts(3), copy({ taskId: 'p1', image: 'a.jpg' })], withBody).status).toBe('pass');
    const r = deadLetteredAfterAttempts.run([sentTask, ...poisonAttempts(3), copy({ taskId: 'p1' })], withBody);
    expect(r).toMatchObject({ status: 'fail', cause: 'body-changed' });
    expect(r.examples[0]).toBe('p1 reached the dead-letter queue with "image" changed or missing');
    expect(deadLetteredAfterAttempts.run([sentTask, ...poisonAttempts(3), copy({ taskId: 'p1', image: 'a.jpg' }, null)], withBody).examples[0]).toBe('p1 reached the dead-letter queue without its messageId');
  });

  it('fails when a flaky task is dead-lettered, calling it flaky, not healthy', () => {
    const h = [task('t1', ['transient']), task('p1', ['poison']), call('t1', 'fail'), ...poisonAttempts(3), dead('p1'), dead('t1')];
    const r = deadLetteredAfterAttempts.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'too-few-attempts' });
    expect(r.examples).toContain('t1, a flaky task (its first attempt fails, the next one succeeds), was dead-lettered after 1 attempt');
  });
});

/** A passive-declare sample of the tasks queue, as the rabbitmq-retry-worker workload records it. */
const queueSample = (value: { ready: number; consumers: number; published: number; done: number; afterKill?: boolean }): Operation => ({
  t: 5,
  process: 'lab',
  kind: 'observe',
  outcome: 'ok',
  key: 'amqp-queue',
  value: { queue: 'tasks', afterKill: false, ...value },
});

describe('manual-ack and bounded-prefetch', () => {
  it('pass when at most the prefetch is in flight and every unfinished task is back after the kill', () => {
    const h = [
      queueSample({ published: 60, ready: 48, done: 2, consumers: 1 }), // 10 in flight
      queueSample({ published: 120, ready: 95, done: 20, consumers: 1 }), // 5 in flight
      queueSample({ published: 120, ready: 89, done: 30, consumers: 0, afterKill: true }), // 1 not yet requeued...
      queueSample({ published: 120, ready: 90, done: 30, consumers: 0, afterKill: true }), // ...then all 90 back
    ];
    expect(manualAck.run(h, {}).status).toBe('pass');
    expect(manualAck.run(h, {}).observed).toBe('all 90 unfinished tasks were back in "tasks" after the kill');
    expect(boundedPrefetch.run(h, { max: 10 })).toMatchObject({ status: 'pass', observed: 'at most 10 in flight' });
  });
  it('fail for auto-ack: everything is pushed at once, and unfinished tasks vanish with the worker', () => {
    const h = [
      queueSample({ published: 120, ready: 0, done: 3, consumers: 1 }),
      queueSample({ published: 120, ready: 0, done: 30, consumers: 0, afterKill: true }),
    ];
    expect(manualAck.run(h, {})).toMatchObject({ status: 'fail', cause: 'acked-on-receipt' });
    expect(manualAck.run(h, {}).observed).toContain('none of the 90 unfinished tasks were back in "tasks" after the kill');
    expect(boundedPrefetch.run(h, { max: 10 })).toMatchObject({ status: 'fail', cause: 'acked-before-work' });
    expect(boundedPrefetch.run(h, { max: 10 }).observed).toBe(
      '117 tasks were out of the queue and unfinished at once (120 published, 0 still in the queue, 3 done); when the worker was killed, 90 unfinished tasks were gone: acknowledged before they were done, so the prefetch limit no longer counted them',
    );
  });
  it('acked on receipt even when a task or two sit in the queue after the kill (a retry republished just before it, CI under load)', () => {
    const h = [
      queueSample({ published: 120, ready: 0, done: 3, consumers: 1 }),
      queueSample({ published: 120, ready: 2, done: 47, consumers: 0, afterKill: true }),
    ];
    const r = manualAck.run(h, {});
    expect(r).toMatchObject({ status: 'fail', cause: 'acked-on-receipt' });
    expect(r.observed).toContain('only 2 of the 73 unfinished tasks were back in "tasks" after the kill');
  });
  it('fail manual-ack for an ack that covers others (multiple=true): some came back, some did not', () => {
    const h = [
      queueSample({ published: 120, ready: 60, done: 50, consumers: 1 }),
      queueSample({ published: 120, ready: 69, done: 50, consumers: 0, afterKill: true }),
    ];
    const r = manualAck.run(h, {});
    expect(r).toMatchObject({ status: 'fail', cause: 'ack-covers-others' });
    expect(r.observed).toBe('after the kill 69 unfinished tasks were back in "tasks" but 1 was gone: acknowledged while still unfinished, by an ack that covered it along with another task');
  });
  it('fail bounded-prefetch for a manual-ack consumer without a limit (all unfinished tasks still come back)', () => {
    const h = [
      queueSample({ published: 120, ready: 0, done: 5, consumers: 1 }),
      queueSample({ published: 120, ready: 90, done: 30, consumers: 0, afterKill: true }),
    ];
    expect(boundedPrefetch.run(h, { max: 10 })).toMatchObject({ status: 'fail', cause: 'no-prefetch' });
    expect(manualAck.run(h, {}).status).toBe('pass');
  });
  it('ignore samples outside their window: after-kill samples for prefetch, samples with a consumer for the kill', () => {
    const h = [queueSample({ published: 120, ready: 0, done: 30, consumers: 1, afterKill: true })];
    expect(manualAck.run(h, {}).status).toBe('unknown');
    expect(boundedPrefetch.run([queueSample({ published: 120, ready: 0, done: 0, consumers: 0, afterKill: true })], { max: 10 }).status).toBe('unknown');
  });
  it('are unknown when no sample was taken', () => {
    expect(manualAck.run([], {}).status).toBe('unknown');
    expect(boundedPrefetch.run([], { max: 10 }).status).toBe('unknown');
  });
});

describe('subscribed', () => {
  const sample = (count: number): Operation => ({ t: 1, process: 'lab', kind: 'observe', outcome: 'ok', key: 'pubsub-subscribers', value: { channel: 'orders', count } });
  it('passes once any sample saw a subscriber', () => {
    expect(subscribed.run([sample(0), sample(1)], { channel: 'orders' }).status).toBe('pass');
  });
  it('fails when NUMSUB stayed 0', () => {
    const r = subscribed.run([sample(0), sample(0)], { channel: 'orders' });
    expect(r.status).toBe('fail');
    expect(r.observed).toBe('PUBSUB NUMSUB stayed 0 in all 2 samples');
  });
});

describe('resubscribed', () => {
  const fault = (t: number, phase: string): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'network', id: 0, phase } });
  const sample = (t: number, count: number): Operation => ({ t, process: 'lab', kind: 'observe', outcome: 'ok', key: 'pubsub-subscribers', value: { channel: 'orders', count } });
  const exit = (t: number): Operation => ({ t, process: 'learner-1', kind: 'process', outcome: 'fail', value: { event: 'exit', code: 1, signal: null, byLab: false } });
  const params = { channel: 'orders', withinMs: 5_000 };

  it('passes when a subscriber is back after the cut healed', () => {
    const r = resubscribed.run([fault(1000, 'start'), sample(1200, 0), fault(1500, 'heal'), sample(1600, 0), sample(1900, 1)], params);
    expect(r).toMatchObject({ status: 'pass', observed: 'subscribed again 0.4s after the connection came back' });
  });
  it('fails a program that died with its connection: crashed on disconnect', () => {
    const r = resubscribed.run([fault(1000, 'start'), exit(1100), fault(1500, 'heal'), sample(1600, 0)], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'crashed-on-disconnect' });
    expect(r.observed).toBe('your program exited (code 1) 0.1s after its connection was cut; see learner-1.stderr.log');
  });
  it('fails a program that stayed connected but never subscribed again', () => {
    const r = resubscribed.run([fault(1000, 'start'), fault(1500, 'heal'), sample(1600, 0), sample(7000, 1)], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'never-resubscribed' });
  });
  it('is unknown when no cut happened', () => {
    expect(resubscribed.run([sample(100, 1)], params).status).toBe('unknown');
  });
});

describe('durable-queues', () => {
  const config = (role: string, queue: string, exists: boolean, durable: boolean): Operation => ({ t: 9_000, process: 'lab', kind: 'observe', outcome: 'ok', key: 'amqp-queue-config', value: { role, queue, exists, durable, type: 'classic', bindings: [] } });

  it('passes when every queue exists and is durable', () => {
    expect(durableQueues.run([config('orders', 'orders', true, true), config('payments', 'payments', true, true)], {}).status).toBe('pass');
  });

  it('not-durable: a queue declared without durable', () => {
    expect(durableQueues.run([config('orders', 'orders', true, false)], {})).toMatchObject({ status: 'fail', cause: 'not-durable' });
  });

  it('gone-after-stop: queues that did not exist once the program stopped (auto-delete, exclusive, never declared)', () => {
    const r = durableQueues.run([config('orders', 'q.orders', false, false), config('payments', 'q.payments', false, false), config('shipping', 'q.shipping', true, true)], {});
    expect(r).toMatchObject({
      status: 'fail',
      cause: 'gone-after-stop',
      observed: 'the queues "q.orders" (orders) and "q.payments" (payments) did not exist once your program had stopped: never declared, or declared to be deleted with its program (auto-delete, exclusive)',
    });
  });
});
