// Unit tests of the load test's profile, sustains-rate and latency-under-load over literal
// histories: a plan of 5/s warm-up, 100/s sustained for 2 s, then a step of 200/s for 1 s.
import { describe, expect, it } from 'vitest';
import { latencyUnderLoad, loadProfile, sustainsRate } from '../../src/checks/load.js';
import type { Operation } from '../../src/runner/history.js';

const params = { subject: 'order', sent: { kind: 'produce' as const, stream: 'orders' }, done: { kind: 'call' as const, stream: 'status-api' }, phase: 'sustain', minShare: 0.98, graceMs: 1_000, minOffered: 0.95 };
const plan: Operation = {
  t: 0,
  process: 'lab',
  kind: 'observe',
  outcome: 'ok',
  key: 'load-plan',
  value: { rate: 100, boundMs: 250, sentStream: 'orders', doneStream: 'status-api', phases: [{ name: 'warmup', rate: 5, plannedMs: 1_000 }, { name: 'sustain', rate: 100, plannedMs: 2_000 }, { name: 'step-200', rate: 200, plannedMs: 1_000 }] },
};
const mark = (t: number, key: string): Operation => ({ t, process: 'lab', kind: 'phase', outcome: 'ok', key });
const produce = (key: string, t: number, phase: string): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'orders', key, value: { orderId: key, phase, tags: [] } });
const accepted = (key: string, arrivedAt: number, t: number, request: number, batch: number): Operation => ({ t, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'status-api', key, attempt: 1, value: { instance: 1, arrivedAt, status: 200, request, batch } });

/** Orders of each phase at its rate; `packed(i, phase, sentAt)` says when order i (of the whole
 *  run) was accepted and in which call, or undefined for never. Calls group orders by request. */
function run(
  packed: (i: number, phase: string, sentAt: number) => { at: number; request: number; batch: number; arrivedAt?: number } | undefined,
  { sustainMs = 2_000, stepMs = 1_000, offeredShare = 1 } = {},
): Operation[] {
  const ops: Operation[] = [plan];
  let i = 0;
  const phase = (name: string, start: number, ms: number, rate: number) => {
    ops.push(mark(start, name));
    const n = Math.round(((rate * ms) / 1000) * offeredShare);
    for (let k = 0; k < n; k++) {
      const t = start + Math.floor((k * 1000) / (rate * offeredShare));
      const key = `order-${++i}`;
      ops.push(produce(key, t, name));
      const p = packed(i, name, t);
      if (p) ops.push(accepted(key, p.arrivedAt ?? p.at - 5, p.at, p.request, p.batch));
    }
  };
  phase('warmup', 0, 1_000, 5);
  phase('sustain', 1_000, sustainMs, 100);
  phase('step-200', 1_000 + sustainMs, stepMs, 200);
  ops.push(mark(1_000 + sustainMs + stepMs, 'drain'));
  return ops.sort((a, b) => a.t - b.t);
}

/** Batches of 10 orders, each accepted 30 ms after it was sent (10 ms per call). */
const quick = (i: number, _phase: string, sentAt: number) => ({ at: sentAt + 30, request: Math.ceil(i / 10), batch: 10, arrivedAt: sentAt + 20 });

describe('loadProfile', () => {
  it('gives each phase its offered and sustained rate, p50 and p99, and says every phase was kept up', () => {
    const profile = loadProfile(run(quick), params);
    expect(profile?.phases.map((ph) => [ph.name, ph.orders, Math.round(ph.offeredRate), ph.p99, ph.keptUp])).toEqual([
      ['warmup', 5, 5, 30, true],
      ['sustain', 200, 100, 30, true],
      ['step-200', 200, 200, 30, true],
    ]);
    expect(profile?.knee).toBeUndefined();
    expect(profile?.highestKeptUp).toBe(200);
    expect(profile?.seconds.find((s) => s.second === 1)).toMatchObject({ offered: 100, p99: 30 });
  });

  it('finds the knee: the highest rate kept up and the first that was not', () => {
    const slowStep = (i: number, phase: string, sentAt: number) => (phase === 'step-200' ? { at: sentAt + 900, request: i, batch: 1 } : quick(i, phase, sentAt));
    expect(loadProfile(run(slowStep), params)?.knee).toEqual({ keptUpAt: 100, notAt: 200 });
  });

  it('counts an order never accepted as infinitely late: 3 of 200 missing puts p99 out of reach', () => {
    const lossy = (i: number, phase: string, sentAt: number) => (phase === 'sustain' && i % 67 === 0 ? undefined : quick(i, phase, sentAt));
    const sustain = loadProfile(run(lossy), params)?.phases.find((ph) => ph.name === 'sustain');
    expect(sustain?.p99).toBe(Number.POSITIVE_INFINITY);
    expect(sustain?.p50).toBe(30);
  });

  it('marks a phase the lab could not offer in full as lab-limited, and ends the knee search there', () => {
    const profile = loadProfile(run(quick, { offeredShare: 0.5 }), params);
    expect(profile?.phases.every((ph) => ph.labLimited)).toBe(true);
    expect(profile?.highestKeptUp).toBeUndefined();
  });

  it('is undefined without a plan', () => {
    expect(loadProfile(run(quick).filter((op) => op.kind !== 'observe'), params)).toBeUndefined();
  });
});

describe('sustains-rate', () => {
  it('passes when 98 % or more are accepted within the grace', () => {
    expect(sustainsRate.run(run(quick), params)).toMatchObject({ status: 'pass' });
  });

  it('is unknown when the lab could not offer the rate', () => {
    expect(sustainsRate.run(run(quick, { offeredShare: 0.5 }), params)).toMatchObject({ status: 'unknown' });
  });

  it('names one-at-a-time: one order a call, never two calls at once, 50 a second', () => {
    const oneByOne = (i: number) => ({ at: 1_000 + i * 20, arrivedAt: 1_000 + i * 20 - 15, request: i, batch: 1 });
    const r = sustainsRate.run(run(oneByOne), params);
    expect(r).toMatchObject({ status: 'fail', cause: 'one-at-a-time' });
    expect(r.observed).toContain('1.0 orders each on average, never two at once');
  });

  it('names in-flight-capped: batches of 5, never more than 5 orders in calls at once', () => {
    const capped = (i: number) => ({ at: 1_000 + Math.ceil(i / 5) * 100, arrivedAt: 1_000 + Math.ceil(i / 5) * 100 - 50, request: Math.ceil(i / 5), batch: 5 });
    expect(sustainsRate.run(run(capped), params)).toMatchObject({ status: 'fail', cause: 'in-flight-capped' });
  });

  it('names too-slow when calls overlapped and carried many orders, and it still fell behind', () => {
    const slow = (i: number) => ({ at: 1_000 + Math.ceil(i / 60) * 900, arrivedAt: 1_000 + Math.ceil(i / 60) * 900 - 1_000, request: Math.ceil(i / 60), batch: 60 });
    expect(sustainsRate.run(run(slow), params)).toMatchObject({ status: 'fail', cause: 'too-slow' });
  });

  it('names stalled: orders accepted in the warm-up, none for the last second up to the grace', () => {
    const stops = (i: number, phase: string, sentAt: number) => (phase === 'warmup' || i < 60 ? quick(i, phase, sentAt) : undefined);
    expect(sustainsRate.run(run(stops), params)).toMatchObject({ status: 'fail', cause: 'stalled' });
  });

  it('names refused when most calls were answered 400, quoting the reason', () => {
    const h = run(() => undefined);
    h.push({ t: 1_500, process: 'downstream', kind: 'call', outcome: 'fail', stream: 'status-api', key: 'order-6', value: { instance: 1, arrivedAt: 1_495, status: 400, rejected: '"{"orderId"" is not an order the lab sent', request: 1, batch: 10 } });
    expect(sustainsRate.run(h, params)).toMatchObject({ status: 'fail', cause: 'refused', examples: ['"{"orderId"" is not an order the lab sent'] });
  });

  it('names never-acked when orders the service accepted were back in the queue after the stop', () => {
    const some = (i: number, phase: string, sentAt: number) => (i < 200 ? quick(i, phase, sentAt) : undefined);
    const h = run(some);
    const neverAccepted = 405 - 199;
    const left = (n: number): Operation => ({ t: 5_000, process: 'lab', kind: 'observe', outcome: 'ok', key: 'amqp-left-after-stop', value: { name: 'ORDER_QUEUE', queue: 'orders', left: n, sent: 405 } });
    expect(sustainsRate.run([...h, left(neverAccepted + 150)], params)).toMatchObject({ status: 'fail', cause: 'never-acked' });
    // Within the slack (a call answered as the program stopped): not the diagnosis.
    expect(sustainsRate.run([...h, left(neverAccepted + 50)], params).cause).not.toBe('never-acked');
  });
});

describe('latency-under-load', () => {
  it('passes with p99 within the bound', () => {
    expect(latencyUnderLoad.run(run(quick), params)).toMatchObject({ status: 'pass' });
  });

  it('names held-for-batch: every order kept up with, but each waited 600 ms', () => {
    const held = (i: number, _phase: string, sentAt: number) => ({ at: sentAt + 600, request: i, batch: 100 });
    expect(sustainsRate.run(run(held), params).status).toBe('pass');
    const r = latencyUnderLoad.run(run(held), params);
    expect(r).toMatchObject({ status: 'fail', cause: 'held-for-batch' });
    expect(r.examples[0]).toContain('p99 600 ms');
  });

  it('names slow-tail: quick orders, but 3 in 100 waited 400 ms', () => {
    const tail = (i: number, phase: string, sentAt: number) => (i % 33 === 0 ? { at: sentAt + 400, request: i, batch: 1 } : quick(i, phase, sentAt));
    expect(latencyUnderLoad.run(run(tail), params)).toMatchObject({ status: 'fail', cause: 'slow-tail' });
  });

  it('names fell-behind when the rate was not kept up either', () => {
    const oneByOne = (i: number) => ({ at: 1_000 + i * 20, request: i, batch: 1 });
    expect(latencyUnderLoad.run(run(oneByOne), params)).toMatchObject({ status: 'fail', cause: 'fell-behind' });
  });
});
