/**
 * sustains-rate and latency-under-load: a pipeline under a steady offered load, then steps
 * above it to find its knee (workloads/load-test.ts).
 *
 * Definitions:
 * - plan: the observation `load-plan` (recorded by the workload when the load starts): the
 *   rate to sustain, the latency bound, and the load's phases in order, each with its offered
 *   rate ("warmup" 800/s on average, "sustain" 1000/s, "step-2000" 2000/s, ...).
 * - a phase's window: from its `phase` operation to the next phase operation of the plan's
 *   (or "drain", which the workload records when it stops offering load). A phase the lab cut
 *   short (the verdict was already known, or the program had fallen behind) has a shorter
 *   window; a phase never reached has none.
 * - an order of a phase: a `sent` operation (ok) whose value's `phase` is the phase. It is
 *   recorded the moment the lab publishes it.
 * - packed: the first `done` operation (ok) with the order's key; its latency is the time
 *   from the order's `sent` to that. An order never packed has an infinite latency.
 * - pN of a phase: the N-th percentile (nearest rank) of its orders' latencies.
 * - packed in time: packed within `graceMs` after the phase's window ended. share: the orders
 *   packed in time over the phase's orders. sustained rate: the orders packed in time per
 *   second of the window.
 * - kept up (a phase): share >= `minShare` and p99 <= the bound.
 * - knee: the highest offered rate of a phase kept up, when the next phase was not kept up
 *   (or never reached because the lab stopped stepping): where the pipeline stops keeping up.
 * - offered rate: a phase's orders per second of its window. The lab itself must have offered
 *   at least `minOffered` of the planned rate, or the phase says nothing about the program
 *   (lab-limited: the judged phase is then unknown, and the knee search ends there).
 *
 * sustains-rate (over the phase `phase`) passes when the share is at least `minShare`; unknown
 * when the phase never ran or the lab could not offer its rate; else fails with the first cause:
 * - refused: most calls in the window were refused by the service (HTTP 400, with a reason);
 * - never-acked: once the program had stopped, more orders were back in the queue (the
 *   observation `amqp-left-after-stop`) than were never packed, by over NOT_ACKED_SLACK: it
 *   never acked orders the service had accepted, and they held its prefetch;
 * - stalled: the program packed orders before, but none in the STALL_MS up to the end of the
 *   window's grace: it stopped taking work (a prefetch full of orders never acknowledged, a
 *   batch that never flushes);
 * - one-at-a-time: no two calls of the window overlapped at the service and they carried at
 *   most ONE_AT_A_TIME_SIZE orders on average: one order, one round trip, one at a time;
 * - in-flight-capped: never more than IN_FLIGHT_CAP orders inside calls at the service at
 *   once (each call counts its orders from its arrival to its answer): the program holds too
 *   few orders at once for the time each one spends with it (Little's law), a small prefetch;
 * - too-slow: none of these.
 * latency-under-load passes when the phase's p99 is at most the bound; unknown as above;
 * else fails with: fell-behind (the share is under `minShare` too: the backlog grew), else
 * held-for-batch (p50 above half the bound: orders wait for a batch even when it keeps up),
 * else slow-tail (a few orders waited long).
 */
import type { History, Operation } from '../runner/history.js';
import { type LoadPlan, lastObservation } from '../runner/observations.js';
import { callValue } from '../runner/calls.js';
import { fieldsOf } from '../runner/messages.js';
import { type CheckDefinition, type Selector, firstFew, matches, num, select, selector, str } from './types.js';
import { percentile } from './latency.js';

/** Orders accepted by the service and back in the queue after the stop, beyond these (a
 *  call answered as the program was stopped): never acked. */
export const NOT_ACKED_SLACK = 100;
/** Nothing packed for this long up to the end of a window's grace: stalled. */
export const STALL_MS = 1_000;
/** Calls carrying at most this many orders on average, never two at once: one at a time. */
export const ONE_AT_A_TIME_SIZE = 1.5;
/** At most this many orders inside calls at once, all along: in flight is capped. */
export const IN_FLIGHT_CAP = 50;

export interface LoadParams {
  subject: string;
  sent: Selector;
  done: Selector;
  /** The phase judged ("sustain"). */
  phase: string;
  /** The share of the phase's orders that must be packed within graceMs of its end. */
  minShare: number;
  graceMs: number;
  /** The lab must have offered at least this share of the planned rate. */
  minOffered: number;
}

export interface PhaseStats {
  name: string;
  plannedRate: number;
  startAt: number;
  endAt: number;
  orders: number;
  offeredRate: number;
  packedInTime: number;
  share: number;
  sustainedRate: number;
  /** Infinity when more than 1 % (50 %) of the orders were never packed. */
  p50: number;
  p99: number;
  keptUp: boolean;
  /** The lab itself offered under `minOffered` of the planned rate (the machine was busy):
   *  the phase says nothing about the program. */
  labLimited: boolean;
}

export interface SecondStats {
  /** The second of the run (ms since start / 1000, floored). */
  second: number;
  offered: number;
  packed: number;
  /** Of the orders sent in this second; Infinity when over 1 % were never packed. */
  p99: number;
}

export interface LoadProfile {
  rate: number;
  boundMs: number;
  phases: PhaseStats[];
  seconds: SecondStats[];
  /** The highest offered rate kept up, and the first one that was not (undefined: every
   *  phase run was kept up, so the knee is above the last). */
  knee?: { keptUpAt: number; notAt: number };
  highestKeptUp?: number;
}

/** What the report and the bench judge a phase by, as the load test's scenario does. */
export const DEFAULT_LOAD_PARAMS = { minShare: 0.98, graceMs: 1_000, minOffered: 0.95 } as const;

/** The profile of a run with a load plan, by the plan's own streams and the default
 *  thresholds (for the report and the bench), or undefined. */
export function planProfile(history: History): LoadProfile | undefined {
  const plan = loadPlanOf(history);
  if (!plan) return undefined;
  return loadProfile(history, { ...DEFAULT_LOAD_PARAMS, sent: { kind: 'produce', stream: plan.sentStream }, done: { kind: 'call', stream: plan.doneStream } });
}

/** The load plan of a run (the workload's observation), or undefined. */
export function loadPlanOf(history: History): LoadPlan | undefined {
  return lastObservation(history, 'load-plan');
}

const infinite = (values: number[], total: number, p: number) => {
  // Orders never packed count as infinitely late: the percentile is finite only when the
  // packed ones reach its rank.
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  return values.length >= rank ? percentile(values, p) : Number.POSITIVE_INFINITY;
};

/** The profile of a run's load (pure), or undefined without a plan. */
export function loadProfile(history: History, p: Pick<LoadParams, 'sent' | 'done' | 'minShare' | 'graceMs' | 'minOffered'>): LoadProfile | undefined {
  const plan = loadPlanOf(history);
  if (!plan) return undefined;
  const names = new Set(plan.phases.map((ph) => ph.name));
  const marks = history.filter((op) => op.kind === 'phase' && op.key !== undefined && (names.has(op.key) || op.key === 'drain'));
  const lastT = history.at(-1)?.t ?? 0;
  const packedAt = new Map<string, number>();
  for (const op of history) if (op.key !== undefined && op.outcome === 'ok' && matches(op, p.done) && !packedAt.has(op.key)) packedAt.set(op.key, op.t);
  const byPhase = new Map<string, Operation[]>();
  for (const op of select(history, p.sent, 'ok')) {
    const phase = String(fieldsOf(op).phase ?? '');
    if (op.key === undefined || !names.has(phase)) continue;
    const list = byPhase.get(phase);
    if (list) list.push(op);
    else byPhase.set(phase, [op]);
  }
  const phases: PhaseStats[] = [];
  for (const planned of plan.phases) {
    const i = marks.findIndex((op) => op.key === planned.name);
    const start = marks[i];
    if (!start) continue;
    const endAt = marks[i + 1]?.t ?? lastT;
    const orders = byPhase.get(planned.name) ?? [];
    const latencies = orders.flatMap((op) => {
      const at = packedAt.get(op.key as string);
      return at === undefined ? [] : [at - op.t];
    });
    latencies.sort((a, b) => a - b);
    const packedInTime = orders.filter((op) => (packedAt.get(op.key as string) ?? Number.POSITIVE_INFINITY) <= endAt + p.graceMs).length;
    const windowS = Math.max(endAt - start.t, 1) / 1000;
    const share = orders.length === 0 ? 0 : packedInTime / orders.length;
    const p99 = infinite(latencies, orders.length, 99);
    phases.push({
      name: planned.name,
      plannedRate: planned.rate,
      startAt: start.t,
      endAt,
      orders: orders.length,
      offeredRate: orders.length / windowS,
      packedInTime,
      share,
      sustainedRate: packedInTime / windowS,
      p50: infinite(latencies, orders.length, 50),
      p99,
      keptUp: orders.length > 0 && share >= p.minShare && p99 <= plan.boundMs,
      labLimited: orders.length / windowS < p.minOffered * planned.rate,
    });
  }
  // Seconds from the first phase to the end of the last, by when orders were sent and packed.
  const seconds = new Map<number, { offered: number; packed: number; latencies: number[]; unpacked: number }>();
  const bucket = (t: number) => {
    const s = Math.floor(t / 1000);
    let b = seconds.get(s);
    if (!b) seconds.set(s, (b = { offered: 0, packed: 0, latencies: [], unpacked: 0 }));
    return b;
  };
  for (const orders of byPhase.values()) {
    for (const op of orders) {
      const b = bucket(op.t);
      b.offered += 1;
      const at = packedAt.get(op.key as string);
      if (at === undefined) b.unpacked += 1;
      else {
        b.latencies.push(at - op.t);
        bucket(at).packed += 1;
      }
    }
  }
  const series = [...seconds.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([second, b]) => ({ second, offered: b.offered, packed: b.packed, p99: b.offered === 0 ? Number.NaN : infinite(b.latencies.sort((x, y) => x - y), b.offered, 99) }));
  // The knee: from the judged rate up, the first phase not kept up. A phase the lab could not
  // offer in full ends the search: above it, nothing is known.
  const offered = phases.filter((ph) => ph.plannedRate >= plan.rate);
  const limited = offered.findIndex((ph) => ph.labLimited);
  const loaded = limited === -1 ? offered : offered.slice(0, limited);
  const firstMiss = loaded.findIndex((ph) => !ph.keptUp);
  const keptUp = (firstMiss === -1 ? loaded : loaded.slice(0, firstMiss)).map((ph) => ph.plannedRate);
  const highestKeptUp = keptUp.length > 0 ? Math.max(...keptUp) : undefined;
  const miss = firstMiss === -1 ? undefined : loaded[firstMiss];
  return {
    rate: plan.rate,
    boundMs: plan.boundMs,
    phases,
    seconds: series,
    ...(highestKeptUp !== undefined ? { highestKeptUp } : {}),
    ...(highestKeptUp !== undefined && miss ? { knee: { keptUpAt: highestKeptUp, notAt: miss.plannedRate } } : {}),
  };
}

export const SUSTAINS_RATE_CAUSES = {
  refused:
    "The order-status service refused your calls (HTTP 400), saying why in the examples: send exactly what the README's contract asks (the orders' own orderId values, status \"accepted\", 1 to 100 ids per call).",
  'never-acked':
    'Orders the service had accepted were never acknowledged: they stayed unacked in your program, filled its prefetch, and from then on only a trickle came through. Ack every order once the call that carried it answered (each one; or one ack with allUpTo that covers the whole batch, only when no earlier batch is still in flight).',
  stalled:
    'Your program stopped packing orders while it was still running: nothing more reached the service. Look for orders it holds and never finishes: acks that miss some orders (each order must be acked, or a multiple ack must cover them), or a batch that waits to be full and never is (flush on a short timer too).',
  'one-at-a-time':
    'Your program sends one order per call and waits for each answer before the next: every order costs a whole round trip, so it can never go faster than one order per round trip. Put many orders in one call (the service takes up to 100), or have several calls in flight at once.',
  'in-flight-capped':
    'Your program holds too few orders at once: only a handful were ever inside calls to the service together. The rate you can sustain is at most (orders in flight) / (time each spends with you) (Little\'s law): raise the prefetch well above your batch size, so the next batch fills while the last one is being sent.',
  'too-slow':
    'Your program packed orders more slowly than they came, so the backlog grew. Find where it waits: a call per order, a small prefetch, an await inside a loop, a sleep. Batch orders into one call, and keep several calls in flight.',
} as const;

export const LATENCY_UNDER_LOAD_CAUSES = {
  'fell-behind':
    'Orders waited longer and longer because your program fell behind the rate (see sustains-rate): fix the throughput first and the latency follows.',
  'held-for-batch':
    'Your program keeps up, but orders wait in it too long before they are sent: a batch that waits to be full, or a flush timer that is too long. Flush every few tens of milliseconds (or when the batch is full, whichever comes first).',
  'slow-tail':
    'Most orders were quick, but more than 1 in 100 waited longer than the bound: a pause that holds everything (a blocking call, a long synchronous loop, a batch that waits to be full after a lull). Look at the slowest orders in the examples and what your program did then.',
} as const;

const ms = (v: number, share = '1 in 100') => (Number.isFinite(v) ? `${Math.round(v)} ms` : `never (over ${share} never packed)`);
const rate = (v: number) => `${Math.round(v)}/s`;

function judged(history: History, p: LoadParams): { profile: LoadProfile; phase: PhaseStats } | { unknown: string } {
  const profile = loadProfile(history, p);
  if (!profile) return { unknown: 'the lab recorded no load plan: the run ended before the load started' };
  const phase = profile.phases.find((ph) => ph.name === p.phase);
  if (!phase || phase.orders === 0) return { unknown: `the ${p.phase} phase never ran (the run ended before it)` };
  if (phase.labLimited) {
    return { unknown: `the lab could offer only ${rate(phase.offeredRate)} of the planned ${rate(phase.plannedRate)} on this machine (busy?): grade again when it is quieter` };
  }
  return { profile, phase };
}

function describe(phase: PhaseStats, subject: string): string {
  const cut = phase.endAt - phase.startAt;
  return `${phase.orders} ${subject}s offered over ${(cut / 1000).toFixed(1)} s (${rate(phase.offeredRate)}), ${phase.packedInTime} packed in time (${(phase.share * 100).toFixed(1)} %, ${rate(phase.sustainedRate)}), p50 ${ms(phase.p50, 'half')}, p99 ${ms(phase.p99)}`;
}

export const sustainsRate: CheckDefinition<LoadParams> = {
  name: 'sustains-rate',
  causes: SUSTAINS_RATE_CAUSES,
  parseParams: parseLoadParams,
  run(history, p) {
    const title = `Keeps up with the offered ${p.subject}s`;
    const plan = loadPlanOf(history);
    const expected = `at least ${(p.minShare * 100).toFixed(0)} % of the ${p.subject}s offered in the ${p.phase} phase${plan ? ` (${plan.rate}/s)` : ''} packed by ${(p.graceMs / 1000).toFixed(1)} s after it ends`;
    const j = judged(history, p);
    if ('unknown' in j) return { title, status: 'unknown', expected, observed: j.unknown, examples: [] };
    const { phase } = j;
    const observed = describe(phase, p.subject);
    if (phase.share >= p.minShare) return { title, status: 'pass', expected, observed, examples: [] };
    const cause = sustainsRateCause(history, p, phase);
    return { title, status: 'fail', expected, observed: `${observed}${cause.detail ? `; ${cause.detail}` : ''}`, examples: cause.examples, cause: cause.cause };
  },
};

/** Why a phase was not kept up (pure). */
export function sustainsRateCause(history: History, p: LoadParams, phase: PhaseStats): { cause: keyof typeof SUSTAINS_RATE_CAUSES; detail?: string; examples: string[] } {
  const windowEnd = phase.endAt + p.graceMs;
  const calls = select(history, p.done).filter((op) => op.t >= phase.startAt && op.t <= windowEnd);
  const refused = calls.filter((op) => op.outcome === 'fail');
  if (refused.length > 0 && refused.length >= calls.length - refused.length) {
    const reasons = [...new Set(refused.map((op) => String(callValue(op).rejected ?? callValue(op).status ?? 'refused')))];
    return { cause: 'refused', detail: `${refused.length} refused`, examples: firstFew(reasons, 3) };
  }
  // Back in the queue after the program stopped, though the service had accepted them: never acked.
  const left = lastObservation(history, 'amqp-left-after-stop');
  if (left) {
    const accepted = new Set(select(history, p.done, 'ok').map((op) => op.key));
    const sentKeys = new Set(select(history, p.sent, 'ok').map((op) => op.key));
    const neverAccepted = [...sentKeys].filter((key) => !accepted.has(key)).length;
    const acceptedNotAcked = left.left - neverAccepted;
    if (acceptedNotAcked > NOT_ACKED_SLACK) {
      return { cause: 'never-acked', detail: `${left.left} orders were back in the queue once your program stopped, though the service had accepted at least ${acceptedNotAcked} of them`, examples: [] };
    }
  }
  const okTimes = select(history, p.done, 'ok').map((op) => op.t);
  const quietFrom = windowEnd - STALL_MS;
  if (okTimes.some((t) => t <= quietFrom) && !okTimes.some((t) => t > quietFrom && t <= windowEnd)) {
    const last = Math.max(...okTimes.filter((t) => t < windowEnd));
    return { cause: 'stalled', detail: `nothing was packed from ${(last / 1000).toFixed(1)} s on`, examples: [] };
  }
  // Requests, from the per-order records: each has its request number, size and arrival.
  const requests = new Map<string, { arrivedAt: number; answeredAt: number; size: number }>();
  for (const op of calls) {
    const v = callValue(op);
    const id = String(v.request ?? `${op.key}@${op.t}`);
    if (!requests.has(id) && typeof v.arrivedAt === 'number') requests.set(id, { arrivedAt: v.arrivedAt, answeredAt: op.t, size: typeof v.batch === 'number' ? v.batch : 1 });
  }
  const list = [...requests.values()].sort((a, b) => a.arrivedAt - b.arrivedAt);
  let overlapped = false;
  let lastEnd = Number.NEGATIVE_INFINITY;
  for (const r of list) {
    if (r.arrivedAt < lastEnd) overlapped = true;
    lastEnd = Math.max(lastEnd, r.answeredAt);
  }
  const meanSize = list.length === 0 ? 0 : list.reduce((s, r) => s + r.size, 0) / list.length;
  if (list.length > 0 && !overlapped && meanSize <= ONE_AT_A_TIME_SIZE) {
    return { cause: 'one-at-a-time', detail: `${list.length} calls, ${meanSize.toFixed(1)} orders each on average, never two at once`, examples: [] };
  }
  // Orders inside calls at the service at once, at most: what the program had in flight.
  const edges = list.flatMap((r) => [[r.arrivedAt, r.size], [r.answeredAt, -r.size]] as Array<[number, number]>).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let mostAtOnce = 0;
  for (const [, d] of edges) mostAtOnce = Math.max(mostAtOnce, (now += d));
  if (list.length > 0 && mostAtOnce <= IN_FLIGHT_CAP) {
    return { cause: 'in-flight-capped', detail: `never more than ${mostAtOnce} orders in calls at once (${meanSize.toFixed(1)} a call on average)`, examples: [] };
  }
  return { cause: 'too-slow', detail: `calls carried ${meanSize.toFixed(1)} orders on average${overlapped ? ', several at once' : ', one at a time'}`, examples: [] };
}

export const latencyUnderLoad: CheckDefinition<LoadParams> = {
  name: 'latency-under-load',
  causes: LATENCY_UNDER_LOAD_CAUSES,
  parseParams: parseLoadParams,
  run(history, p) {
    const plan = loadPlanOf(history);
    const title = `${p.subject[0]?.toUpperCase()}${p.subject.slice(1)}s are packed promptly under load`;
    const expected = `p99 latency (from the lab publishing ${/^[aeiou]/.test(p.subject) ? 'an' : 'a'} ${p.subject} to the service's answer to the call that carried it) at most ${plan ? `${plan.boundMs} ms` : 'the bound'} in the ${p.phase} phase`;
    const j = judged(history, p);
    if ('unknown' in j) return { title, status: 'unknown', expected, observed: j.unknown, examples: [] };
    const { phase, profile } = j;
    const observed = describe(phase, p.subject);
    if (phase.p99 <= profile.boundMs) return { title, status: 'pass', expected, observed, examples: [] };
    // The worst seconds, as examples: when the waiting happened.
    const worst = profile.seconds
      .filter((s) => s.second * 1000 >= phase.startAt && s.second * 1000 < phase.endAt && s.p99 > profile.boundMs)
      .slice(0, 3)
      .map((s) => `${p.subject}s sent in second ${s.second}: p99 ${ms(s.p99)}`);
    const cause: keyof typeof LATENCY_UNDER_LOAD_CAUSES = phase.share < p.minShare ? 'fell-behind' : phase.p50 > profile.boundMs / 2 ? 'held-for-batch' : 'slow-tail';
    return { title, status: 'fail', expected, observed, examples: worst, cause };
  },
};

function parseLoadParams(raw: Record<string, unknown>): LoadParams {
  return {
    subject: str(raw, 'subject'),
    sent: selector(raw, 'sent'),
    done: selector(raw, 'done'),
    phase: str(raw, 'phase', 'sustain'),
    minShare: num(raw, 'minShare', 0.98),
    graceMs: num(raw, 'graceMs', 1_000),
    minOffered: num(raw, 'minOffered', 0.95),
  };
}
