// quorum-queue, acknowledged-orders-fulfilled, orders-accepted-through-failover and
// consumer-acks over literal histories of the quorum-queue exercise
// (workloads/rabbitmq-quorum-ha.ts records them).
import { describe, expect, it } from 'vitest';
import { acknowledgedOrdersFulfilled, consumerAcks, faultTimes, ordersAcceptedThroughFailover, quorumQueue } from '../../src/checks/quorum-ha.js';
import type { History, Operation } from '../../src/runner/history.js';

const queue = (type: string, exists = true): Operation => ({ t: 100, process: 'lab', kind: 'observe', outcome: exists ? 'ok' : 'fail', stream: 'queue', key: 'ORDERS_QUEUE', value: { queue: 'orders', exists, type, durable: true } });
const consumer = (ackRequired: boolean): Operation => ({ t: 2_500, process: 'lab', kind: 'observe', outcome: 'ok', stream: 'consumer', key: 'ORDERS_QUEUE', value: { consumers: 1, ackRequired } });
const sent = (id: string, t: number, flaky = false): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'orders', key: id, value: { orderId: id, tags: flaky ? ['flaky'] : [], sentAt: t } });
const answer = (id: string, t: number, status = 200): Operation => ({ t, process: 'lab', kind: 'observe', outcome: status < 300 ? 'ok' : 'fail', stream: 'answers', key: id, value: { status, answeredAt: t } });
const call = (id: string, t: number, outcome: 'ok' | 'fail' | 'info' = 'ok'): Operation => ({ t, process: 'downstream', kind: 'call', outcome, stream: 'fulfilment-api', key: id, value: { status: outcome === 'ok' ? 200 : outcome === 'fail' ? 503 : undefined } });
const left = (id: string): Operation => ({ t: 30_000, process: 'lab', kind: 'consume', outcome: 'ok', stream: 'left', key: id, value: { redelivered: true } });
const fault = (fault: string, phase: string, t: number): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault, id: 0, phase } });

/** The program killed at 1000 (restarted 1200), the leader stopped at 3000, woken at 4400 and killed at 4500. */
const faults = [fault('kill-learner', 'start', 1_000), fault('kill-learner', 'heal', 1_200), fault('pause-broker-node', 'start', 3_000), fault('pause-broker-node', 'heal', 4_400), fault('kill-broker-node', 'start', 4_500), fault('kill-broker-node', 'heal', 15_000)];

/** A correct run: o1 fulfilled; o2's call cut by the program's kill, delivered again; o3 flaky,
 *  fulfilled on its second call; o4 sent in the pause, answered after the failover; o5 after. */
function correct(): History {
  return [
    queue('quorum'),
    sent('o1', 500), answer('o1', 510), call('o1', 560),
    sent('o2', 900), answer('o2', 910), faults[0]!, call('o2', 1_000, 'info'), faults[1]!, call('o2', 1_400),
    sent('o3', 2_000, true), answer('o3', 2_010), call('o3', 2_050, 'fail'), call('o3', 2_100),
    faults[2]!, sent('o4', 3_200), faults[3]!, faults[4]!, answer('o4', 4_700), call('o4', 4_800),
    sent('o5', 5_000), answer('o5', 5_010), call('o5', 5_060), faults[5]!,
  ];
}
const without = (h: History, key: string) => h.filter((op) => op.key !== key);

describe('faultTimes', () => {
  it('takes the pause, the node kill and the program kill', () => expect(faultTimes(faults)).toEqual({ pausedAt: 3_000, wokeAt: 4_400, killedAt: 4_500, programKilledAt: 1_000, programRestartedAt: 1_200 }));
});

describe('quorum-queue', () => {
  const run = (h: History) => quorumQueue.run(h, {});
  it('passes a quorum queue', () => expect(run([queue('quorum')]).status).toBe('pass'));
  it('names a classic queue', () => expect(run([queue('classic')])).toMatchObject({ status: 'fail', cause: 'classic-queue' }));
  it('fails a missing queue without a cause', () => {
    const result = run([queue('classic', false)]);
    expect(result.status).toBe('fail');
    expect(result.cause).toBeUndefined();
  });
  it('cannot judge a run that never read it', () => expect(run([]).status).toBe('unknown'));
});

describe('acknowledged-orders-fulfilled', () => {
  const run = (h: History) => acknowledgedOrdersFulfilled.run(h, { graceMs: 100 });
  it('passes a correct run', () => expect(run(correct()).status).toBe('pass'));
  it('an order sent in the pause and answered 200 before the kill was answered without a confirm', () => {
    const h = [...without(correct(), 'o4'), sent('o4', 3_200), answer('o4', 3_210), call('o4', 4_800)];
    const result = run(h);
    expect(result).toMatchObject({ status: 'fail', cause: 'answered-without-confirm' });
    expect(result.examples[0]).toContain('o4');
  });
  it('an order answered 200 after the node woke may have been confirmed', () => {
    const h = [...without(correct(), 'o4'), sent('o4', 3_200), answer('o4', 4_450), call('o4', 4_800)];
    expect(run(h).status).toBe('pass');
  });
  it('an order sent within the grace after the pause began may have been confirmed', () => {
    const h = [...without(correct(), 'o4'), sent('o4', 3_050), answer('o4', 3_060), call('o4', 4_800)];
    expect(run(h).status).toBe('pass');
  });
  it('an order whose call failed and that was never called again was dropped', () => {
    const h = [...without(correct(), 'o3'), sent('o3', 2_000, true), answer('o3', 2_010), call('o3', 2_050, 'fail')];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'dropped-after-failed-call' });
  });
  it('an order whose call failed just before the program was killed was lost with the program, not dropped', () => {
    const h = [...without(correct(), 'o1'), sent('o1', 500, true), answer('o1', 510), call('o1', 560, 'fail')];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'lost-with-the-program' });
  });
  it('a program seen dropping failed orders after its restart dropped the one that failed before its kill too', () => {
    const h = [...without(without(correct(), 'o1'), 'o3'), sent('o1', 500, true), answer('o1', 510), call('o1', 560, 'fail'), sent('o3', 2_000, true), answer('o3', 2_010), call('o3', 2_050, 'fail')];
    const result = run(h);
    expect(result).toMatchObject({ status: 'fail', cause: 'dropped-after-failed-call' });
    expect(result.observed).toContain('2 of 5 orders answered 200 had a failed fulfilment call');
    expect(result.observed).not.toContain('killed');
  });
  it('an order cut short by the program kill and never called again was lost with it', () => {
    const h = [...without(correct(), 'o2'), sent('o2', 900), answer('o2', 910), call('o2', 1_000, 'info')];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'lost-with-the-program' });
  });
  it('an acknowledged order still in the queue was left there', () => {
    const h = [...without(correct(), 'o5'), sent('o5', 5_000), answer('o5', 5_010), left('o5')];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'left-in-queue' });
  });
  it('an acknowledged order with no call and not in the queue was never fulfilled', () => {
    const h = [...without(correct(), 'o5'), sent('o5', 5_000), answer('o5', 5_010)];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'never-fulfilled' });
  });
  it('an order answered 500 and never fulfilled is no loss', () => {
    const h = [...without(correct(), 'o5'), sent('o5', 5_000), answer('o5', 5_010, 500)];
    expect(run(h).status).toBe('pass');
  });
});

describe('orders-accepted-through-failover', () => {
  const run = (h: History) => ordersAcceptedThroughFailover.run(h, { failoverMs: 30_000 });
  it('passes a correct run', () => {
    const result = run(correct());
    expect(result.status).toBe('pass');
    expect(result.observed).toContain('0.2s');
  });
  it('no 200 after the kill is a stall', () => {
    const h = [...without(without(correct(), 'o4'), 'o5'), sent('o4', 3_200), answer('o4', 4_600, 500), sent('o5', 5_000), answer('o5', 5_010, 500)];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'stalled' });
  });
  it('a first 200 later than the limit is a stall', () => {
    const h = [...without(without(correct(), 'o4'), 'o5'), sent('o4', 3_200), answer('o4', 4_600, 500), sent('o5', 5_000), answer('o5', 40_000)];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'stalled' });
  });
  it('refusals around the program restart and in the failover are allowed', () => {
    const h = [...correct(), sent('r1', 1_100), answer('r1', 1_101, 500), sent('r2', 3_300), answer('r2', 4_550, 500)];
    expect(run(h).status).toBe('pass');
  });
  it('an order in flight when the program was killed, or sent before it was back, is no refusal', () => {
    const h = [...correct(), sent('r1', 990), answer('r1', 1_001, 500), sent('r2', 1_300), answer('r2', 1_301, 502)];
    expect(run(h).status).toBe('pass');
  });
  it('an order sent just before the pause and refused after it is no refusal while healthy', () => {
    expect(run([...correct(), sent('r4', 2_990), answer('r4', 4_510, 500)]).status).toBe('pass');
  });
  it('a refusal after the restarted program answered again is named', () => {
    expect(run([...correct(), sent('r3', 2_500), answer('r3', 2_505, 500)])).toMatchObject({ status: 'fail', cause: 'refused' });
  });
  it('a refusal while the cluster was healthy is named', () => {
    expect(run([...correct(), sent('r0', 700), answer('r0', 705, 500)])).toMatchObject({ status: 'fail', cause: 'refused' });
  });
  it('is undecided in a run without a node kill (a classic queue gets no faults), even when every order was answered 200', () => {
    const result = run([queue('classic'), sent('o1', 500), answer('o1', 510)]);
    expect(result.status).toBe('unknown');
    expect(result.observed).toMatch(/no node was killed this run.*quorum-queue/);
  });
});

describe('consumer-acks', () => {
  const run = (h: History) => consumerAcks.run(h, {});
  it('passes when the order cut short came back', () => expect(run(correct()).status).toBe('pass'));
  it('noAck: the order cut short never came back', () => {
    const h = [...without(correct(), 'o2'), consumer(false), call('o2', 1_000, 'info')];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'auto-ack' });
  });
  it('manual acks, the order cut short never came back: acked before the call', () => {
    const h = [...without(correct(), 'o2'), consumer(true), call('o2', 1_000, 'info')];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'acked-before-call' });
  });
  it('some orders cut short came back, an earlier one did not: an ack covered it', () => {
    const h = [...without(correct(), 'o2'), consumer(true), call('o2', 1_000, 'info'), sent('o6', 950), answer('o6', 960), call('o6', 1_000, 'info'), call('o6', 1_500)];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'ack-covered-others' });
  });
  it('cannot judge a run whose program was never killed', () => expect(run([queue('quorum')]).status).toBe('unknown'));
});
