/**
 * within-rate-limit and uses-the-rate
 *
 * A provider allows R calls per second with bursts of B (a token bucket): in any span of T
 * seconds at most B + R·T calls. Several copies of a program share that limit; together they
 * must stay under it (a 429 is a refused call, and a provider that sees many blocks the
 * account), and together they should use it (a limiter that wastes it makes a backlog wait
 * longer than it has to).
 *
 * Definitions:
 * - the limit: the observation "rate-limit" { ratePerSecond, burst, toleranceCalls,
 *   backlogAt (when the lab began to queue its backlog) }.
 * - call: an operation matching `calls`, by its arrival (`value.arrivedAt`), whatever its
 *   outcome; refused: answered 429 (the service's own bucket, `toleranceCalls` larger than
 *   the limit, was empty when it arrived); rejected calls (400) are not calls at the limit.
 * - steady rate: the median of the calls per whole second, seconds counted from the first
 *   call, the first one left out (it may spend the burst); with no whole second after it, the
 *   average over all calls. A median, because a fixed window's bursts fall in every second
 *   alike while copies that each limit themselves fill every second several times over.
 * - delivered: a call answered OK, arriving before the backlog's end (`backlogEndAt`).
 * - pace: (delivered - burst) per second, from the backlog to the last delivery.
 * - after the kill: from 0.5 s after the first kill to the last delivery (at least 1 s).
 *
 * within-rate-limit fails when a call was refused, or when the program kept no key under
 * KEY_PREFIX (the observation's `keysUnderPrefix` is 0: no bucket the copies share, or one
 * outside the prefix; cause no-shared-bucket); for a refused call, its cause:
 * - over-rate: the steady rate is above 1.2·R: the copies together call faster than the limit
 *   (each keeps its own limiter, or the limit is counted per copy);
 * - bursts: otherwise: calls come in bunches larger than the burst (a fixed window that
 *   allows R at the start of each second, or a bucket holding more than B).
 * uses-the-rate is unknown when calls were refused (over the limit, a pace says nothing about
 * using it: within-rate-limit fails), and fails when the pace is below 80% of R; its cause:
 * - fixed-shares: the pace before the kill was at least 80% of R (all calls before it, per
 *   second since the backlog), the pace after it is below, and the surviving copies did not
 *   speed up (their own calls per second after the kill at most 15% above theirs before it):
 *   each keeps a fixed share of the limit, and the dead copy's share went unused (sharing one
 *   bucket, the survivors would have taken its tokens);
 * - too-slow: otherwise (waiting longer than the bucket asks, one call at a time with a pause).
 */
import type { History, Operation } from '../runner/history.js';
import { lastObservation } from '../runner/observations.js';
import { kills } from './attempts.js';
import { type CheckDefinition, type Selector, select, selector, seconds, str } from './types.js';
import { callValue } from '../runner/calls.js';

export interface RateParams {
  /** What one call sends: "SMS". */
  subject: string;
  calls: Selector;
}

export const RATE_LIMIT_CAUSES = {
  'over-rate':
    'Your copies together called faster than the limit: each copy limits itself, so N copies send N times the rate. Keep one bucket for all copies, in Redis, and take each token with one atomic step (a Lua script that refills and takes).',
  'no-shared-bucket':
    'Your program kept no key under KEY_PREFIX, so its limit is not one bucket the copies share in Redis (or the bucket lives outside KEY_PREFIX, where nothing cleans it up). Keep the bucket under KEY_PREFIX and take every token from it.',
  bursts:
    'Calls came in bunches larger than the burst the limit allows: a fixed window (INCR and EXPIRE per second) lets a whole second\'s calls through at once at the start of every window, and a bucket larger than BURST does too. Use a token bucket holding at most BURST tokens, refilled continuously at RATE_PER_SECOND.',
} as const;

export const USES_THE_RATE_CAUSES = {
  'fixed-shares':
    'After a copy died, the others kept to their own share of the limit and left the dead copy\'s share unused: a limit split into fixed parts per copy wastes it whenever a copy is gone. Share one bucket between all copies, so whoever is alive takes the tokens.',
  'too-slow':
    'Your program used much less of the limit than it allows, so the backlog waited longer than needed. Wait only as long as the bucket says until the next token (not a fixed second), and keep a few calls in flight.',
} as const;

function arrivalOf(op: Operation): number {
  const at = callValue(op).arrivedAt;
  return typeof at === 'number' ? at : op.t;
}

function statusOf(op: Operation): number | undefined {
  const status = callValue(op).status;
  return typeof status === 'number' ? status : undefined;
}

/** The most calls in any window of `spanMs` (pure): sorted arrivals, two pointers. */
export function busiest(arrivals: readonly number[], spanMs: number): { count: number; from: number } {
  let best = { count: 0, from: arrivals[0] ?? 0 };
  let start = 0;
  for (let end = 0; end < arrivals.length; end++) {
    while ((arrivals[end] ?? 0) - (arrivals[start] ?? 0) >= spanMs) start++;
    if (end - start + 1 > best.count) best = { count: end - start + 1, from: arrivals[start] ?? 0 };
  }
  return best;
}

export function steadyRateOf(arrivals: readonly number[]): number {
  const first = arrivals[0] ?? 0;
  const last = arrivals[arrivals.length - 1] ?? first;
  const counts: number[] = [];
  for (let from = first + 1_000; from + 1_000 <= last; from += 1_000) counts.push(arrivals.filter((t) => t >= from && t < from + 1_000).length);
  if (counts.length === 0) return (arrivals.length * 1000) / Math.max(1, last - first);
  counts.sort((a, b) => a - b);
  return counts[Math.floor(counts.length / 2)] ?? 0;
}

function atLimit(history: History, p: RateParams): number[] {
  return select(history, p.calls)
    .filter((op) => statusOf(op) !== 400)
    .map(arrivalOf)
    .sort((a, b) => a - b);
}

export const withinRateLimit: CheckDefinition<RateParams> = {
  name: 'within-rate-limit',
  causes: RATE_LIMIT_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), calls: selector(raw, 'calls') }),
  run(history, p) {
    const limit = lastObservation(history, 'rate-limit');
    const title = `All copies together stay within the rate limit`;
    if (!limit) return { title, status: 'unknown', expected: 'calls within the limit', observed: 'the lab recorded no limit', examples: [] };
    const { ratePerSecond: rate, burst } = limit;
    const expected = `at most ${rate} calls per second with bursts of ${burst} (in any T seconds, ${burst} + ${rate}·T), over all copies: no call refused with 429`;
    const arrivals = atLimit(history, p);
    if (arrivals.length === 0) return { title, status: 'unknown', expected, observed: `no ${p.subject} was sent, so the limit could not be judged`, examples: [] };
    const refused = select(history, p.calls).filter((op) => statusOf(op) === 429);
    const short = busiest(arrivals, 200);
    const long = busiest(arrivals, 1_000);
    const allowed = (spanMs: number) => Math.floor(burst + (rate * spanMs) / 1000);
    if (refused.length === 0 && limit.keysUnderPrefix === 0) {
      return {
        title,
        status: 'fail',
        expected: `${expected}, kept in one bucket in Redis under KEY_PREFIX`,
        observed: `no call was refused, but your program had no key under KEY_PREFIX: the limit was not kept in a bucket the copies share there`,
        examples: [`at most ${short.count} calls in any 0.2s and ${long.count} in any second`],
        cause: 'no-shared-bucket',
      };
    }
    if (refused.length === 0) {
      return { title, status: 'pass', expected, observed: `${arrivals.length} calls, none refused; at most ${short.count} in any 0.2s and ${long.count} in any second`, examples: [] };
    }
    const steadyRate = steadyRateOf(arrivals);
    const cause = steadyRate > rate * 1.2 ? 'over-rate' : 'bursts';
    return {
      title,
      status: 'fail',
      expected,
      observed: `${refused.length} of ${arrivals.length} calls refused with 429 (over the limit); after the first second your copies called ${steadyRate.toFixed(0)} times per second`,
      examples: [
        `${short.count} calls in the 0.2s from ${seconds(short.from)} (the limit allows ${allowed(200)})`,
        `${long.count} calls in the second from ${seconds(long.from)} (the limit allows ${allowed(1_000)})`,
        `first refused at ${seconds(arrivalOf(refused[0] as Operation))}`,
      ],
      cause,
    };
  },
};

export const usesTheRate: CheckDefinition<RateParams> = {
  name: 'uses-the-rate',
  causes: USES_THE_RATE_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), calls: selector(raw, 'calls') }),
  run(history, p) {
    const limit = lastObservation(history, 'rate-limit');
    const title = `The copies together use the rate limit`;
    if (!limit) return { title, status: 'unknown', expected: 'a pace close to the limit', observed: 'the lab recorded no limit', examples: [] };
    const { ratePerSecond: rate, burst, backlogAt } = limit;
    const floor = rate * 0.8;
    const expected = `the backlog sent at ${floor.toFixed(0)} or more per second (80% of the limit of ${rate}/s), also after a copy died`;
    const refused = select(history, p.calls).filter((op) => statusOf(op) === 429).length;
    if (refused > 0) return { title, status: 'unknown', expected, observed: `${refused} calls were refused over the limit, so the pace says nothing about using it (see within-rate-limit)`, examples: [] };
    // The backlog only: messages sent after an idle spell are judged by within-rate-limit.
    const delivered = select(history, p.calls, 'ok')
      .map(arrivalOf)
      .filter((t) => t <= (limit.backlogEndAt ?? Number.POSITIVE_INFINITY))
      .sort((a, b) => a - b);
    if (delivered.length <= burst + 1) return { title, status: 'unknown', expected, observed: `only ${delivered.length} ${p.subject} messages were sent, too few to measure a pace`, examples: [] };
    const lastAt = delivered[delivered.length - 1] ?? backlogAt;
    const pace = ((delivered.length - burst) * 1000) / Math.max(1, lastAt - backlogAt);
    const kill = kills(history)[0];
    const afterFrom = kill ? kill.t + 500 : undefined;
    const afterCalls = afterFrom === undefined ? [] : delivered.filter((t) => t >= afterFrom);
    const afterSpan = afterFrom === undefined ? 0 : lastAt - afterFrom;
    const afterPace = afterSpan >= 1_000 ? (afterCalls.length * 1000) / afterSpan : undefined;
    const beforeCalls = kill ? delivered.filter((t) => t < kill.t) : [];
    const beforePace = kill && kill.t - backlogAt >= 500 ? (beforeCalls.length * 1000) / (kill.t - backlogAt) : undefined;
    const paces = `${pace.toFixed(1)}/s overall${beforePace === undefined ? '' : `, ${beforePace.toFixed(1)}/s before the kill`}${afterPace === undefined ? '' : `, ${afterPace.toFixed(1)}/s after it`}`;
    const lowAfter = afterPace !== undefined && afterPace < floor;
    if (pace >= floor && !lowAfter) return { title, status: 'pass', expected, observed: `${delivered.length} sent in ${seconds(lastAt - backlogAt)}: ${paces}`, examples: [] };
    // The survivors' own pace, before the kill and after it: sharing one bucket, they take the
    // dead copy's tokens and speed up; each keeping a fixed share, they do not.
    const deliveredOps = select(history, p.calls, 'ok');
    const bySurvivors = (from: number, to: number) => deliveredOps.filter((op) => callValue(op).instance !== kill?.instance && arrivalOf(op) >= from && arrivalOf(op) < to).length;
    const survivorsBefore = beforePace !== undefined && kill ? (bySurvivors(backlogAt, kill.t) * 1000) / (kill.t - backlogAt) : undefined;
    const survivorsAfter = afterPace !== undefined && afterFrom !== undefined ? (bySurvivors(afterFrom, lastAt + 1) * 1000) / afterSpan : undefined;
    const sharesKept = survivorsBefore !== undefined && survivorsAfter !== undefined && survivorsAfter <= survivorsBefore * 1.15;
    const cause = lowAfter && sharesKept && beforePace !== undefined && beforePace >= floor ? 'fixed-shares' : 'too-slow';
    return {
      title,
      status: 'fail',
      expected,
      observed: `${delivered.length} sent in ${seconds(lastAt - backlogAt)}: ${paces}`,
      examples: kill ? [`copy ${kill.instance ?? '?'} was killed at ${seconds(kill.t)} and not restarted; ${afterCalls.length} sent from ${seconds(afterFrom ?? 0)} to ${seconds(lastAt)}`] : [],
      cause,
    };
  },
};
