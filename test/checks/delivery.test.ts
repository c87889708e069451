// Unit tests of the delivery checks over literal histories: each check must pass on a good
// history and fail, with useful examples, on the bad one it exists for.
import { describe, expect, it } from 'vitest';
import { duplicatesOnlyAfterCrash, noDuplicates } from '../../src/checks/duplicates.js';
import { latency, percentile } from '../../src/checks/latency.js';
import { noLostMessages } from '../../src/checks/lost.js';
import { inOrder } from '../../src/checks/order.js';
import type { Operation } from '../../src/runner/history.js';

const produce = (t: number, key: string, extra: Partial<Operation> = {}): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'orders', key, ...extra });
const consume = (t: number, key: string, outcome: Operation['outcome'] = 'ok'): Operation => ({ t, process: 'lab', kind: 'consume', outcome, stream: 'notifications', key });

const sent = { kind: 'produce', stream: 'orders' } as const;
const delivered = { kind: 'consume', stream: 'notifications' } as const;

describe('no-lost-messages', () => {
  const params = { subject: 'notification', sent, delivered };

  it('passes when every sent key was delivered', () => {
    const r = noLostMessages.run([produce(1, 'a'), produce(2, 'b'), consume(3, 'b'), consume(4, 'a')], params);
    expect(r.status).toBe('pass');
  });

  it('fails and names the lost keys with when they were sent', () => {
    const r = noLostMessages.run([produce(1000, 'a'), produce(2000, 'b'), consume(3000, 'a')], params);
    expect(r.status).toBe('fail');
    expect(r.observed).toBe('1 of 2 notifications never got through');
    expect(r.examples).toEqual(['b (sent at 2.0s): never processed']);
    expect(r.cause).toBe('never-processed');
  });

  it('does not count an "info" delivery (outcome unknown) as delivered', () => {
    const r = noLostMessages.run([produce(1, 'a'), consume(2, 'a', 'info')], params);
    expect(r.status).toBe('fail');
  });

  it('ignores messages carrying the excluded tag (poison goes to the DLQ, not through)', () => {
    const r = noLostMessages.run([produce(1, 'a'), produce(2, 'p', { value: { tags: ['poison'] } }), consume(3, 'a')], { ...params, excludeTag: 'poison' });
    expect(r.status).toBe('pass');
  });

  it('is unknown when the lab sent nothing', () => {
    expect(noLostMessages.run([], params).status).toBe('unknown');
  });
});

describe('no-lost-messages: why each was lost', () => {
  const task = (t: number, key: string, tags: string[] = []): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'tasks', key, value: { tags } });
  const call = (t: number, key: string, outcome: Operation['outcome']): Operation => ({ t, process: 'downstream', kind: 'call', outcome, stream: 'api', key });
  const kill = (t: number): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 0, phase: 'start', signal: 'SIGKILL' } });
  const dead = (t: number, key: string): Operation => ({ t, process: 'lab', kind: 'dead-letter', outcome: 'ok', stream: 'dead-letter', key });
  const params = { subject: 'task', sent: { kind: 'produce', stream: 'tasks' }, delivered: { kind: 'call', stream: 'api' } } as const;

  it('lost at the kill: its call was cut short by the kill and never made again', () => {
    const r = noLostMessages.run([task(0, 'a'), task(0, 'b'), call(1500, 'a', 'info'), kill(1500), call(2000, 'b', 'ok')], params);
    expect(r.cause).toBe('lost-at-kill');
    expect(r.observed).toBe('1 of 2 tasks never got through, all taken by your program before it was killed');
    expect(r.examples).toEqual(['a (sent at 0.0s): being processed when your program was killed at 1.5s, and never processed again']);
  });

  it('a call cut short by a crash of its own is not said to be the lab\'s kill', () => {
    const r = noLostMessages.run([task(0, 'a'), task(0, 'b'), call(3800, 'a', 'info'), call(4500, 'b', 'ok')], params);
    expect(r.examples).toEqual(['a (sent at 0.0s): being processed when your program died at 3.8s (the lab did not kill it: it crashed or exited), and never processed again']);
  });

  it('lost at the kill: sent before it, never attempted, while the restarted program worked on others', () => {
    const r = noLostMessages.run([task(0, 'a'), task(0, 'b'), kill(1000), call(2000, 'b', 'ok')], params);
    expect(r.cause).toBe('lost-at-kill');
    expect(r.examples[0]).toBe('a (sent at 0.0s): never processed; your program was killed at 1.0s and nobody processed it afterwards');
  });

  it('missed first, named before a loss at a later kill: the program was not listening for the first ones', () => {
    const r = noLostMessages.run([task(0, 'a'), task(0, 'b'), task(100, 'c'), call(150, 'c', 'ok'), task(200, 'd'), call(250, 'd', 'info'), kill(250), task(400, 'e'), call(450, 'e', 'ok')], params);
    expect(r.cause).toBe('missed-first');
    expect(r.observed).toMatch(/^3 of 5 tasks never got through/);
  });

  it('missed first, when the others lost are of the partitions whose first ones were missed (each new owner starts at the end again)', () => {
    const at = (op: Operation, partition: number): Operation => ({ ...op, partition });
    const h = [at(task(0, 'a'), 3), at(task(0, 'b'), 1), call(100, 'b', 'ok'), at(task(200, 'c'), 1), call(250, 'c', 'info'), kill(300), at(task(900, 'd'), 3), at(task(950, 'e'), 1), call(1000, 'e', 'ok')];
    const r = noLostMessages.run(h, params);
    expect(r.cause).toBe('missed-first');
    // d, lost after the kill in partition 3 (no commit there), does not hide the first miss.
    const without = noLostMessages.run(h.filter((op) => op.key !== 'a'), params);
    expect(without.cause).not.toBe('missed-first');
  });

  it('rejected: every call for it was refused as malformed, and the reason is quoted', () => {
    const refused = (t: number, key: string): Operation => ({ ...call(t, key, 'fail'), value: { status: 400, rejected: 'the x-instance-id header is missing' } });
    const r = noLostMessages.run([task(0, 'a'), task(0, 'b'), refused(100, 'a'), refused(200, 'a'), call(300, 'b', 'ok')], params);
    expect(r.cause).toBe('rejected');
    expect(r.examples).toEqual(['a (sent at 0.0s): refused 2 times with 400: "the x-instance-id header is missing"']);
  });

  it('never processed, not lost at the kill, when the program processed nothing at all', () => {
    expect(noLostMessages.run([task(0, 'a'), kill(1000)], params).cause).toBe('never-processed');
  });

  it('dead-lettered: a flaky task sent to the dead-letter queue after one failure', () => {
    const r = noLostMessages.run([task(0, 'f', ['transient']), call(100, 'f', 'fail'), dead(200, 'f')], params);
    expect(r.cause).toBe('dead-lettered');
    expect(r.examples[0]).toBe('f (sent at 0.0s, transient): dead-lettered after 1 attempt, though a later attempt would have succeeded');
  });

  it('gave up: a failed attempt never tried again', () => {
    const r = noLostMessages.run([task(0, 'f'), call(100, 'f', 'fail')], params);
    expect(r.cause).toBe('gave-up');
    expect(r.examples[0]).toBe('f (sent at 0.0s): its only attempt failed, and it was never tried again');
  });

  it('names the most serious cause, and breaks the losses down', () => {
    const h = [task(0, 'a'), task(0, 'f1'), task(0, 'f2'), call(100, 'a', 'info'), kill(100), call(300, 'f1', 'fail'), call(300, 'f2', 'fail')];
    const r = noLostMessages.run(h, params);
    expect(r.cause).toBe('lost-at-kill');
    expect(r.observed).toBe('3 of 3 tasks never got through: 1 taken by your program before it was killed, 2 given up after failed attempts');
  });

  it('rejects params without a selector', () => {
    expect(() => noLostMessages.parseParams({ subject: 'x', sent })).toThrow(/"delivered" must be a selector/);
  });
});

describe('no-duplicates', () => {
  const params = { subject: 'notification', delivered };
  it('passes on one delivery per key', () => {
    expect(noDuplicates.run([consume(1, 'a'), consume(2, 'b')], params).status).toBe('pass');
  });
  it('fails and counts the deliveries of the duplicated key', () => {
    const r = noDuplicates.run([consume(1, 'a'), consume(2, 'b'), consume(3, 'a'), consume(4, 'a')], params);
    expect(r.status).toBe('fail');
    expect(r.examples).toEqual(['a arrived 3 times']);
    expect(r.observed).toBe('1 of 2 notifications arrived more than once');
  });
  it('cannot judge when nothing readable arrived (no credit for an empty topic)', () => {
    expect(noDuplicates.run([], params).status).toBe('unknown');
  });
});

describe('in-order', () => {
  const params = { subject: 'notification', sent, delivered, groupBy: 'stream' };
  it('passes when arrivals follow send order', () => {
    const h = [produce(1, 'a'), produce(2, 'b'), produce(3, 'c'), consume(4, 'a'), consume(5, 'b'), consume(6, 'c')];
    expect(inOrder.run(h, params).status).toBe('pass');
  });
  it('reports the first reordered pair', () => {
    const h = [produce(1, 'a'), produce(2, 'b'), produce(3, 'c'), consume(4, 'b'), consume(5, 'a'), consume(6, 'c')];
    const r = inOrder.run(h, params);
    expect(r.status).toBe('fail');
    expect(r.examples[0]).toBe('a (sent #1) arrived after b (sent #2)');
  });
  it('does not count a redelivery as a reordering', () => {
    const h = [produce(1, 'a'), produce(2, 'b'), consume(3, 'a'), consume(4, 'b'), consume(5, 'a')];
    expect(inOrder.run(h, params).status).toBe('pass');
  });
  it('judges order per group only', () => {
    const p = (t: number, key: string, customer: string) => produce(t, key, { value: { customer } });
    const h = [p(1, 'a', 'x'), p(2, 'b', 'y'), consume(3, 'b'), consume(4, 'a')];
    expect(inOrder.run(h, { ...params, groupBy: 'customer' }).status).toBe('pass');
    expect(inOrder.run(h, params).status).toBe('fail');
  });
  it('is unknown when nothing arrived', () => {
    expect(inOrder.run([produce(1, 'a')], params).status).toBe('unknown');
  });
});

describe('latency', () => {
  it('computes nearest-rank percentiles', () => {
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 99)).toBe(40);
    expect(percentile([5], 99)).toBe(5);
  });
  it('passes under the bound and fails over it', () => {
    const h = [produce(0, 'a'), produce(0, 'b'), consume(100, 'a'), consume(900, 'b')];
    expect(latency.run(h, { subject: 'notification', sent, delivered, percentile: 99, maxMs: 1000 }).status).toBe('pass');
    const r = latency.run(h, { subject: 'notification', sent, delivered, percentile: 99, maxMs: 500 });
    expect(r.status).toBe('fail');
    expect(r.observed).toContain('p99 900 ms');
  });
});

describe('no-lost-messages: when nothing got through', () => {
  const params = { subject: 'notification', input: 'order', sent, delivered };
  it('unreadable: outputs came, none readable (no id: not JSON)', () => {
    const r = noLostMessages.run([produce(1, 'a'), consume(2, undefined as unknown as string, 'fail')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'unreadable', observed: '1 of 1 order got no notification: 1 output arrived, none of which the lab could read' });
  });
  it('nothing-arrived: nothing at all where the lab listens', () => {
    const r = noLostMessages.run([produce(1, 'a')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'nothing-arrived' });
    expect(r.title).toBe('Every order gets its notification');
  });
  it('missed-first: exactly the first ones sent, the rest arrived', () => {
    const r = noLostMessages.run([produce(1, 'a'), produce(2, 'b'), produce(3, 'c'), consume(4, 'c')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'missed-first', observed: '2 of 3 orders got no notification: the first 2 sent, before your program was listening' });
  });
});

describe('duplicates-only-after-crash', () => {
  const call = (t: number, key: string): Operation => ({ t, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'ledger', key });
  const hold: Operation = { t: 5000, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 0, phase: 'hold' } };
  const params = { subject: 'payment', delivered: { kind: 'call', stream: 'ledger' }, windowMs: 2000 } as const;
  it('passes repeats after the crash of what was first done in its last 2 s', () => {
    expect(duplicatesOnlyAfterCrash.run([call(4000, 'a'), hold, call(6000, 'a')], params)).toMatchObject({ status: 'pass', observed: '1 processed again after the crash, all from its last moments' });
  });
  it('fails repeats after the crash of work done long before it: uncommitted progress', () => {
    const r = duplicatesOnlyAfterCrash.run([call(1000, 'a'), hold, call(6000, 'a')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'uncommitted-progress' });
    expect(r.examples[0]).toBe('a: processed 2 times, first at 1.0s, again at 6.0s');
  });
  it('fails repeats before any crash: duplicates without a crash', () => {
    expect(duplicatesOnlyAfterCrash.run([call(1000, 'a'), call(1500, 'a'), hold], params).cause).toBe('duplicates-without-crash');
  });
});
