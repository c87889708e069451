// Unit tests of the rate limiter's checks over literal histories: within-rate-limit and
// uses-the-rate pass on a paced history and name the cause the evidence shows otherwise.
import { describe, expect, it } from 'vitest';
import { busiest, usesTheRate, withinRateLimit } from '../../src/checks/rate-limit.js';
import type { Operation } from '../../src/runner/history.js';
import { TokenBucket } from '../../src/workloads/redis-rate-limiter.js';

const limit: Operation = { t: 0, process: 'lab', kind: 'observe', outcome: 'ok', key: 'rate-limit', value: { ratePerSecond: 25, burst: 5, toleranceCalls: 5, backlogAt: 0 } };
const call = (arrivedAt: number, status = 200, n = 0): Operation => ({ t: arrivedAt + 30, process: 'downstream', kind: 'call', outcome: status === 200 ? 'ok' : 'fail', stream: 'sms-api', key: `sms-${arrivedAt}-${n}`, attempt: 1, value: { instance: 1, arrivedAt, status } });
const kill = (t: number): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 0, phase: 'start', instance: 3, signal: 'SIGKILL' } });
const params = withinRateLimit.parseParams({ subject: 'SMS', calls: { kind: 'call', stream: 'sms-api' } });

/** `n` calls at `perSecond`, from `from` ms. */
const paced = (n: number, perSecond: number, from = 0, status = 200): Operation[] => Array.from({ length: n }, (_, i) => call(Math.round(from + (i * 1000) / perSecond), status, i));

describe('the token bucket and the busiest window', () => {
  it('admits a burst, then the rate', () => {
    const bucket = new TokenBucket(10, 3);
    expect([0, 0, 0, 0].map((t) => bucket.take(t))).toEqual([true, true, true, false]);
    expect(bucket.take(99)).toBe(false);
    expect(bucket.take(100)).toBe(true);
  });

  it('finds the busiest window', () => {
    expect(busiest([0, 10, 20, 500, 510], 100)).toEqual({ count: 3, from: 0 });
    expect(busiest([0, 300, 400, 450, 480], 200)).toEqual({ count: 4, from: 300 });
  });
});

describe('within-rate-limit', () => {
  it('passes when nothing was refused', () => {
    const r = withinRateLimit.run([limit, ...paced(100, 25)], params);
    expect(r.status).toBe('pass');
  });

  it('names a program with no key under KEY_PREFIX: no-shared-bucket', () => {
    const noKeys: Operation = { ...limit, value: { ...(limit.value as object), keysUnderPrefix: 0 } };
    const r = withinRateLimit.run([noKeys, ...paced(100, 25)], params);
    expect(r.cause).toBe('no-shared-bucket');
    expect(withinRateLimit.run([{ ...limit, value: { ...(limit.value as object), keysUnderPrefix: 1 } }, ...paced(100, 25)], params).status).toBe('pass');
  });

  it('names copies that together call faster than the limit: over-rate', () => {
    const history = [limit, ...paced(150, 75), ...paced(100, 75).map((op) => ({ ...op, outcome: 'fail' as const, value: { ...(op.value as object), status: 429 } }))];
    const r = withinRateLimit.run(history, params);
    expect(r.cause).toBe('over-rate');
  });

  it('names a whole second let through at once: bursts', () => {
    const windows = [0, 1000, 2000, 3000].flatMap((start) => [...paced(7, 1000, start), ...paced(18, 1000, start + 7, 429)]);
    const r = withinRateLimit.run([limit, ...windows], params);
    expect(r.cause).toBe('bursts');
    expect(r.examples[0]).toBe('25 calls in the 0.2s from 0.0s (the limit allows 10)');
  });
});

describe('uses-the-rate', () => {
  it('passes at the pace of the limit, also after a kill', () => {
    const r = usesTheRate.run([limit, kill(1000), ...paced(100, 25)], params);
    expect(r.status).toBe('pass');
  });

  it('names survivors that did not speed up after the kill: fixed-shares', () => {
    // Copies 1 and 2 at 8.3/s each all along; copy 3 as well until it is killed at 1 s.
    const copy = (ops: Operation[], instance: number) => ops.map((op) => ({ ...op, key: `${op.key}-${instance}`, value: { ...(op.value as object), instance } }));
    const history = [limit, kill(1000), ...copy(paced(40, 8.3), 1), ...copy(paced(40, 8.3, 5), 2), ...copy(paced(8, 8.3, 10), 3)];
    const r = usesTheRate.run(history, params);
    expect(r.cause).toBe('fixed-shares');
    expect(r.examples[0]).toContain('copy 3 was killed at 1.0s and not restarted');
  });

  it('names a pace low all along: too-slow', () => {
    expect(usesTheRate.run([limit, kill(1000), ...paced(80, 12)], params).cause).toBe('too-slow');
  });

  it('names a slow pace too-slow when the survivors did speed up after the kill', () => {
    const copy = (ops: Operation[], instance: number) => ops.map((op) => ({ ...op, key: `${op.key}-${instance}`, value: { ...(op.value as object), instance } }));
    const history = [limit, kill(1000), ...copy(paced(5, 5), 1), ...copy(paced(5, 5, 3), 2), ...copy(paced(5, 5, 6), 3), ...copy(paced(30, 7.5, 1000), 1), ...copy(paced(30, 7.5, 1010), 2)];
    expect(usesTheRate.run(history, params).cause).toBe('too-slow');
  });

  it('does not judge the pace of a program that went over the limit', () => {
    expect(usesTheRate.run([limit, ...paced(80, 12), call(50, 429)], params).status).toBe('unknown');
  });
});
