// Unit tests of backoff and circuit-breaker over literal histories: the replayed breaker,
// the retries it lets the backoff check measure, and each cause from its evidence.
import { describe, expect, it } from 'vitest';
import { backoff, callsOf, circuitBreaker, downPeriodsOf, replayBreaker, retriesOf } from '../../src/checks/breaker.js';
import type { Operation } from '../../src/runner/history.js';

const CALLS = { kind: 'call', stream: 'partner-api' } as const;
const raw = { subject: 'invoice', sent: { kind: 'produce', stream: 'invoices' }, calls: CALLS, failureThreshold: 3, coolDownMs: 1000, baseDelayMs: 100, maxDelayMs: 400, concurrency: 2 };
const params = circuitBreaker.parseParams(raw);
/** The same numbers, with a threshold no history here reaches: retries only. */
const noOpening = backoff.parseParams({ ...raw, failureThreshold: 100 });

const sent = (key: string, t = 0): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'invoices', key });
/** A call of `key` arriving at `at`, answered `ms` later. */
const call = (key: string, at: number, ok: boolean, ms = 20): Operation => ({ t: at + ms, process: 'downstream', kind: 'call', outcome: ok ? 'ok' : 'fail', stream: 'partner-api', key, value: { instance: 1, arrivedAt: at, status: ok ? 200 : 503 } });
const windowAt = (t: number, phase: 'start' | 'heal'): Operation => ({ t, process: 'downstream', kind: 'fault', outcome: 'ok', stream: 'partner-api', value: { fault: 'partner-api error', id: -1, phase, window: 'errors', mode: 'error' } });
const end = (t: number): Operation => ({ t, process: 'lab', kind: 'phase', outcome: 'ok', key: 'end' });
const byTime = (ops: Operation[]) => [...ops].sort((a, b) => a.t - b.t);
/** The lab killed the program at `exitAt` and started it again at `startAt`; a call of `key`
 *  arriving at `at` was cut short by the kill. */
const restart = (exitAt: number, startAt: number): Operation[] => [
  { t: exitAt, process: 'learner-1', kind: 'process', outcome: 'ok', value: { event: 'exit', code: null, signal: 'SIGKILL', byLab: true } },
  { t: startAt, process: 'learner-1', kind: 'process', outcome: 'ok', value: { event: 'start', pid: 2, start: 2 } },
];
const cut = (key: string, at: number, exitAt: number): Operation => ({ t: exitAt, process: 'downstream', kind: 'call', outcome: 'info', stream: 'partner-api', key, value: { instance: 1, arrivedAt: at, note: 'caller killed mid-call' } });
const start = (t: number): Operation => ({ t, process: 'learner-1', kind: 'process', outcome: 'ok', value: { event: 'start', pid: 1, start: 1 } });

/** A correct program: opens after 3 failures in a row at 1100, trials at 2100 and 3120 fail,
 *  the one at 4140 succeeds. */
const correct = [
  sent('a', 900), sent('b', 900),
  windowAt(1000, 'start'),
  call('a', 1000, false), call('b', 1005, false), call('a', 1080, false), // the third answer, at 1100, opens it
  call('b', 1090, false), // on its way as it opened
  call('a', 2100, false), // trial: opens again at 2120
  call('b', 3120, false), // trial: opens again at 3140
  windowAt(4000, 'heal'),
  call('a', 4140, true), // trial: closes at 4160
  call('b', 4170, true),
];

describe('replayBreaker', () => {
  it('opens at the threshold, lets the calls in flight pass, takes one trial per cool-down', () => {
    const replay = replayBreaker(callsOf(byTime(correct), CALLS), 3, 1000);
    expect(replay.openings.map((o) => [o.at, o.trial?.at, o.closedAt])).toEqual([[1100, 2100, undefined], [2120, 3120, undefined], [3140, 4140, 4160]]);
    expect(replay.whileOpen).toEqual([]);
    expect(replay.secondTrials).toEqual([]);
  });

  it('a reset connection answered in the ms it arrived is still that call\'s answer', () => {
    const reset: Operation = { ...call('a', 2100, false, 0), value: { instance: 1, arrivedAt: 2100, down: true } };
    const replay = replayBreaker(callsOf(byTime([call('a', 0, false), call('a', 50, false), call('a', 100, false), reset, call('a', 3200, true)]), CALLS), 3, 1000);
    expect(replay.openings.map((o) => [o.at, o.trial?.at, o.closedAt])).toEqual([[120, 2100, undefined], [2100, 3200, 3220]]);
  });
});

describe('a restart', () => {
  it('is a down period from the exit to the next start', () => {
    expect(downPeriodsOf([start(0), ...restart(300, 1_000)])).toEqual([[300, 1_000]]);
    expect(downPeriodsOf([start(0), restart(300, 1_000)[0] as Operation])).toEqual([[300, Number.POSITIVE_INFINITY]]);
  });

  it('starts the replay afresh: failures before it do not count toward the threshold after it', () => {
    const ops = byTime([start(0), call('a', 0, false), call('b', 10, false), cut('a', 60, 100), ...restart(100, 1_500), call('c', 2_000, false), call('a', 2_010, false)]);
    const calls = callsOf(ops, CALLS);
    expect(calls.map((c) => c.key)).toEqual(['a', 'b', 'c', 'a']); // the call cut short is left out
    expect(replayBreaker(calls, 3, 1000).openings.map((o) => o.at)).toEqual([2_020]);
    expect(replayBreaker(calls, 3, 1000, downPeriodsOf(ops)).openings).toEqual([]);
  });

  it('ends an open circuit: the restarted program calls at once, which is not a call while open', () => {
    const ops = byTime([start(0), call('a', 0, false), call('b', 10, false), call('a', 80, false), ...restart(300, 600), call('b', 700, true)]);
    const replay = replayBreaker(callsOf(ops, CALLS), 3, 1000, downPeriodsOf(ops));
    expect(replay.openings.map((o) => [o.at, o.restartedAt])).toEqual([[100, 600]]);
    expect(replay.whileOpen).toEqual([]);
    expect(replay.openPeriods).toEqual([[100, 600]]);
    expect(replayBreaker(callsOf(ops, CALLS), 3, 1000).whileOpen.map((w) => w.call.at)).toEqual([700]);
  });

  it('restarts every job\'s retry count: the restarted program waits its first retry again', () => {
    const ops = byTime([start(0), sent('a'), call('a', 0, false), call('a', 80, false), cut('a', 260, 300), ...restart(300, 1_000), call('a', 1_500, false), call('a', 1_580, true)]);
    expect(backoff.run(ops, noOpening).status).toBe('pass');
    expect(retriesOf(callsOf(ops, CALLS), downPeriodsOf(ops)).map((r) => [r.k, r.waitedMs])).toEqual([[1, 60], [1, 60]]);
    // Without the restart, the second "retry 1" would be a retry 3 that came too soon.
    const noRestart = ops.filter((op) => op.kind !== 'process');
    expect(backoff.run(noRestart, noOpening).cause).toBe('no-backoff-growth');
  });

  it('a pause while the program was down is not the breaker\'s', () => {
    const ops = byTime([start(0), sent('a'), sent('b'), sent('c'), call('a', 0, true), call('b', 50, false), cut('c', 60, 200), ...restart(200, 1_400), call('b', 1_500, true), call('c', 1_510, true)]);
    expect(circuitBreaker.run(ops, params).status).toBe('unknown');
    expect(circuitBreaker.run(ops.filter((op) => op.kind !== 'process'), params).cause).toBe('opened-early');
  });
});

describe('retriesOf', () => {
  it('measures from the answer to the next call, and counts afresh after an open circuit', () => {
    const calls = callsOf(byTime([call('a', 0, false), call('a', 80, false), call('a', 2_000, false), call('a', 2_100, true)]), CALLS);
    expect(retriesOf(calls, []).map((r) => [r.k, r.waitedMs])).toEqual([[1, 60], [2, 1_900], [3, 80]]);
    expect(retriesOf(calls, [[500, 1_500]]).map((r) => [r.k, r.waitedMs])).toEqual([[1, 60], [1, 80]]);
  });
});

/** Five jobs, each refused three times and then accepted, with the waits given per job. */
const retried = (waits: (job: number) => [number, number, number]) =>
  byTime(
    [0, 1, 2, 3, 4].flatMap((job) => {
      const key = `j${job}`;
      const [w1, w2, w3] = waits(job);
      let at = job * 2_000;
      const ops = [sent(key, at)];
      for (const wait of [w1, w2, w3]) {
        ops.push(call(key, at, false));
        at += 20 + wait;
      }
      ops.push(call(key, at, true));
      return ops;
    }),
  );

describe('backoff', () => {
  it('passes waits within their bounds, spread by jitter', () => {
    const r = backoff.run(retried((j) => [55 + j * 10, 110 + j * 20, 210 + j * 40]), noOpening);
    expect(r.status).toBe('pass');
  });

  it('names a retry at once a hot loop', () => {
    const r = backoff.run(retried(() => [1, 2, 1]), noOpening);
    expect(r.cause).toBe('hot-loop');
    expect(r.examples[0]).toContain('retry 1 came 1 ms after the failed call (at least 50 ms)');
  });

  it('names first retries that come too soon', () => {
    expect(backoff.run(retried((j) => [30 + j, 150, 300]), noOpening).cause).toBe('too-short');
  });

  it('a few retries at once among longer ones is a wait from 0 (full jitter), not a hot loop', () => {
    expect(backoff.run(retried((j) => (j === 0 ? [5, 150, 300] : [60 + j, 150 + j, 300 + j])), noOpening).cause).toBe('too-short');
  });

  it('names waits that do not grow', () => {
    expect(backoff.run(retried((j) => [55 + j * 10, 55 + j * 10, 55 + j * 10]), noOpening).cause).toBe('no-backoff-growth');
  });

  it('names waits alike for every job: no jitter', () => {
    const r = backoff.run(retried((j) => [100 + (j % 2), 200 + j, 400 - j]), noOpening);
    expect(r.cause).toBe('no-jitter');
    expect(r.observed).toContain('retry 1 after 100-101 ms');
  });

  it('is unknown without a retry', () => {
    expect(backoff.run([sent('a'), call('a', 0, true)], noOpening).status).toBe('unknown');
  });
});

describe('circuit-breaker', () => {
  it('passes the correct program', () => {
    const r = circuitBreaker.run(byTime(correct), params);
    expect(r.status).toBe('pass');
    expect(r.observed).toContain('3 times in all');
  });

  it('names calls that go on after the threshold: calls-while-open', () => {
    const hammering = [sent('a', 900), sent('b', 900), windowAt(1000, 'start'), ...Array.from({ length: 30 }, (_, i) => call(i % 2 ? 'b' : 'a', 1000 + i * 100, false)), windowAt(4000, 'heal'), call('a', 4100, true), call('b', 4100, true)];
    const r = circuitBreaker.run(byTime(hammering), params);
    expect(r.cause).toBe('calls-while-open');
    expect(r.observed).toContain('it never paused while the service was failing');
  });

  it('says when a failed trial opened the circuit again and calls went on within its new cool-down', () => {
    const r = circuitBreaker.run(byTime([...correct, call('b', 2_300, false)]), params);
    expect(r.cause).toBe('calls-while-open');
    expect(r.observed).toContain('1 call within the 1.0s after the circuit opened again at 2.1s: the trial call at 2.1s (a) failed, so a new cool-down of 1.0s started then');
    expect(r.examples).toEqual(['b: called at 2.3s, 180 ms after the circuit opened again']);
  });

  it('names a pause that comes only after many failures in a row: opened-late', () => {
    const late = [sent('a', 900), sent('b', 900), windowAt(1000, 'start'), ...Array.from({ length: 12 }, (_, i) => call(i % 2 ? 'b' : 'a', 1000 + i * 60, false)), call('a', 2700, false), windowAt(4000, 'heal'), call('a', 4100, true), call('b', 4200, true)];
    const r = circuitBreaker.run(byTime(late), params);
    expect(r.cause).toBe('opened-late');
    expect(r.observed).toContain('after 12 failed calls in a row');
  });

  it('names a pause while the failures were not in a row: opened-early', () => {
    const early = [sent('a'), sent('b'), sent('c'), sent('d', 300), call('a', 0, false), call('b', 50, true), call('a', 100, false), call('c', 150, true), call('a', 200, false), call('d', 1_500, true), call('a', 1_600, true)];
    const r = circuitBreaker.run(byTime(early), params);
    expect(r.cause).toBe('opened-early');
  });

  it('a pause while only lost jobs were pending (never called again) is not opened-early', () => {
    const lost = [sent('a'), sent('b'), sent('c', 1_400), call('a', 0, true), call('b', 50, false), call('c', 1_500, true)];
    expect(circuitBreaker.run(byTime(lost), params).status).toBe('unknown');
  });

  it('names several calls after the cool-down: half-open-not-single', () => {
    const all = [...correct.filter((op) => !(op.kind === 'call' && (op.value as { arrivedAt: number }).arrivedAt >= 2100)), call('a', 2100, false), call('b', 2101, false)];
    const r = circuitBreaker.run(byTime(all), params);
    expect(r.cause).toBe('half-open-not-single');
    expect(r.examples).toEqual(['a: called at 2.1s', 'b: called at 2.1s']);
  });

  it('names a circuit that stays open while jobs wait: never-half-opened', () => {
    const stuck = [sent('a', 900), sent('b', 900), windowAt(1000, 'start'), call('a', 1000, false), call('b', 1005, false), call('a', 1080, false), windowAt(4000, 'heal'), end(6_000)];
    const r = circuitBreaker.run(byTime(stuck), params);
    expect(r.cause).toBe('never-half-opened');
    expect(r.examples).toEqual(['a', 'b']);
  });

  it('is unknown when the circuit never had a reason to open', () => {
    expect(circuitBreaker.run([sent('a'), call('a', 0, true)], params).status).toBe('unknown');
  });
});
