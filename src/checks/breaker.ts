/**
 * backoff and circuit-breaker
 *
 * A program that calls a failing service must not make it worse: it waits longer after every
 * failed call (exponential backoff, with jitter so that many jobs do not retry in step), and
 * after a few failures in a row it stops calling for a while (a circuit breaker), then tries
 * one call to see whether the service is back.
 *
 * Definitions (one copy of the program; times are the lab's):
 * - call: an operation matching `calls`, from its arrival (`value.arrivedAt`) to its answer
 *   (the operation's `t`; a call the service reset while down is answered on arrival);
 *   failed: any outcome but "ok". Calls cut short by a kill ("info") and calls refused as
 *   malformed (`rejected`) are left out.
 * - the breaker, replayed over the calls in time order (at the same ms: answers, then
 *   arrivals, then answers of calls that arrived in it), as the README specifies it:
 *   closed: every failed answer adds one to the failures in a row, an OK answer sets them to
 *   0; at `failureThreshold` the circuit opens, at that answer's time.
 *   open: a call arriving within IN_FLIGHT_SLACK_MS of the opening is one the program sent
 *   before it could know (tolerated); one arriving later but before the cool-down is over
 *   (minus EARLY_SLACK_MS) is a call while open; the first arriving after it is the trial.
 *   half-open: a call arriving while the trial is unanswered is a second trial; the trial's
 *   answer closes the circuit (OK: failures in a row 0) or opens it again (failed).
 *   Answers of calls in flight when it opened, and of calls made against it, change nothing.
 *   A restart (the lab killed the program and started it again, see `downPeriodsOf`) starts
 *   the replay afresh at the new start, as the new process's breaker does: closed, failures
 *   in a row 0 (an open circuit ends there).
 * - open period: from an opening to the answer of the trial that closed it, or to a restart
 *   (or forever).
 * - down period: from the exit of the program (killed by the lab) to its next start: no call
 *   can come in it.
 * - fresh start: an open period or a down period. After one a job's retries count afresh (a
 *   restarted program has fresh retry counts too), and a pause in one is not the breaker's.
 * - retry: a failed call of a job followed by another call of the same job, with no fresh
 *   start in between (a job that waited out an open circuit may start counting afresh, as
 *   the README allows); its number k counts the job's failed calls since the last fresh start
 *   (1 for the first); its wait is from the failed call's answer to the next call's arrival.
 * - the bound: the k-th retry waits between cap/2 and cap, cap = min(maxDelayMs,
 *   baseDelayMs * 2^(k-1)) ("equal jitter"); the lab grades the lower end (the upper one
 *   stretches whenever the breaker holds a job back), BOUND_SLACK_MS under it allowed.
 * - the outage: the service's scheduled windows (fault events on the `calls` stream).
 * - pending: a job the lab had sent and whose call had not yet succeeded.
 * - pause: a time of at least PAUSE_SHARE of the cool-down without any call arriving.
 *
 * backoff fails when a retry waited less than its bound: cause hot-loop when at least half of
 * the retries came within HOT_LOOP_MS (no wait at all), too-short when a first retry was
 * already too early (a delay without the stated bounds, or "full jitter" from 0), no-backoff-growth otherwise (later
 * retries did not wait longer: a fixed delay). It fails with no-jitter when the waits of the
 * same k were alike across jobs: for every k with at least JITTER_SAMPLES retries but at most
 * one, they spread over less than JITTER_SHARE of the interval (with at least two such k).
 *
 * circuit-breaker fails on the first problem in time:
 * - opened-early: a pause while jobs were held back (pending at its start, called after it)
 *   and the replayed circuit was closed, with no fresh start in it (the
 *   program stopped calling before `failureThreshold` failures in a row: it counts failures
 *   that were not in a row);
 * - calls-while-open / opened-late: a call while open. opened-late when the program did
 *   pause later, but only after more than `failureThreshold + concurrency - 1` failures in a
 *   row (the jobs in flight as it opens may still fail), and the opening was not a failed
 *   trial's; otherwise calls-while-open (no breaker, one that lets calls past it, or a failed
 *   trial that did not start a new cool-down);
 * - half-open-not-single: a second trial;
 * - never-half-opened: the circuit was still open at the end, no call came after the
 *   cool-down (and its longest backoff) while jobs were pending.
 * It is unknown when the circuit never opened (no outage reached the program).
 */
import type { History } from '../runner/history.js';
import { callValue } from '../runner/calls.js';
import { faultEvents } from '../faults/events.js';
import { learnerEvents } from '../runner/learner-events.js';
import { type CheckDefinition, type Selector, firstFew, num, select, selector, seconds, str } from './types.js';

/** A call the program sent before it could know the circuit had opened. */
export const IN_FLIGHT_SLACK_MS = 150;
/** Timers and clocks: a trial this much before the cool-down is over is still on time. */
export const EARLY_SLACK_MS = 20;
/** A retry this much under its bound still keeps it (the lab's clock against the program's). */
export const BOUND_SLACK_MS = 5;
export const HOT_LOOP_MS = 20;
export const PAUSE_SHARE = 0.8;
export const JITTER_SAMPLES = 4;
export const JITTER_SHARE = 0.25;

export interface BreakerParams {
  /** What one job is to the learner: "invoice". */
  subject: string;
  /** The lab's jobs. */
  sent: Selector;
  /** The program's calls to the failing service. */
  calls: Selector;
  failureThreshold: number;
  coolDownMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Jobs the program works on at once. */
  concurrency: number;
}

export function parseBreakerParams(raw: Record<string, unknown>): BreakerParams {
  return {
    subject: str(raw, 'subject'),
    sent: selector(raw, 'sent'),
    calls: selector(raw, 'calls'),
    failureThreshold: num(raw, 'failureThreshold'),
    coolDownMs: num(raw, 'coolDownMs'),
    baseDelayMs: num(raw, 'baseDelayMs'),
    maxDelayMs: num(raw, 'maxDelayMs'),
    concurrency: num(raw, 'concurrency'),
  };
}

export interface Call {
  key: string;
  /** Arrival. */
  at: number;
  /** Answer. */
  end: number;
  ok: boolean;
  status?: number;
  down?: boolean;
}

export function callsOf(history: History, calls: Selector): Call[] {
  return select(history, calls)
    .filter((op) => op.key !== undefined && op.outcome !== 'info' && callValue(op).rejected === undefined)
    .map((op) => {
      const v = callValue(op);
      return { key: op.key as string, at: v.arrivedAt ?? op.t, end: op.t, ok: op.outcome === 'ok', ...(v.status === undefined ? {} : { status: v.status }), ...(v.down ? { down: true } : {}) };
    })
    .sort((a, b) => a.at - b.at);
}

export interface Opening {
  at: number;
  /** Failures in a row when it opened (the threshold, or more for a trial's). */
  failures: number;
  /** The failed trial call whose answer opened it again (a new cool-down from then). */
  afterTrial?: Call;
  /** The trial call that followed it, if any. */
  trial?: Call;
  /** When a successful trial closed it. */
  closedAt?: number;
  /** When the program's restart ended it (a new process starts with a closed breaker). */
  restartedAt?: number;
}

export interface BreakerReplay {
  openings: Opening[];
  /** Calls that arrived while the circuit was open, with the opening they broke. */
  whileOpen: Array<{ call: Call; opening: Opening }>;
  /** Calls that arrived while a trial was unanswered. */
  secondTrials: Array<{ call: Call; trial: Call }>;
  /** Open periods, [from, to) (to is Infinity while it never closed). */
  openPeriods: Array<[number, number]>;
  /** Open periods and down periods: a job's retries count afresh after one. */
  freshStarts: Array<[number, number]>;
}

/** When the program was down, [exit, next start) (pure): the lab killed it (or it ended) and
 *  started it again; to is Infinity when it was not started again. */
export function downPeriodsOf(history: History): Array<[number, number]> {
  const events = learnerEvents(history);
  const periods: Array<[number, number]> = [];
  events.forEach((op, i) => {
    if (op.value.event !== 'exit') return;
    const next = events.slice(i + 1).find((later) => later.process === op.process && later.value.event === 'start');
    periods.push([op.t, next ? next.t : Number.POSITIVE_INFINITY]);
  });
  return periods;
}

/** Replays the README's breaker over the calls (pure): see the definitions above. `down`
 *  are the down periods (downPeriodsOf): the replay starts afresh at the end of each. */
export function replayBreaker(calls: readonly Call[], failureThreshold: number, coolDownMs: number, down: ReadonlyArray<[number, number]> = []): BreakerReplay {
  type Event = { t: number; answer: boolean; call: Call } | { t: number; restart: true };
  const events: Event[] = [
    ...calls.flatMap((call): Event[] => [{ t: call.at, answer: false, call }, { t: call.end, answer: true, call }]),
    ...down.filter(([, to]) => Number.isFinite(to)).map(([, to]): Event => ({ t: to, restart: true })),
  ];
  // At the same ms: a restart first, then answers (the program could not have reacted to one
  // within it), then arrivals, then the answers of calls that arrived in that ms (a reset
  // connection).
  const rank = (e: Event) => ('restart' in e ? -1 : !e.answer ? 1 : e.call.at === e.t ? 2 : 0);
  events.sort((a, b) => a.t - b.t || rank(a) - rank(b));
  const openings: Opening[] = [];
  const whileOpen: BreakerReplay['whileOpen'] = [];
  const secondTrials: BreakerReplay['secondTrials'] = [];
  let state: 'closed' | 'open' | 'half-open' = 'closed';
  let inARow = 0;
  let current: Opening | undefined;
  const open = (at: number, failures: number, afterTrial?: Call): 'open' => {
    current = { at, failures, ...(afterTrial ? { afterTrial } : {}) };
    openings.push(current);
    return 'open';
  };
  for (const event of events) {
    if ('restart' in event) {
      // A new process: its breaker is closed and has seen no failure.
      if (current && state !== 'closed') current.restartedAt = event.t;
      state = 'closed';
      inARow = 0;
      continue;
    }
    const { t, answer, call } = event;
    if (answer) {
      if (state === 'closed') {
        inARow = call.ok ? 0 : inARow + 1;
        if (inARow >= failureThreshold) state = open(t, inARow);
      } else if (state === 'half-open' && current?.trial === call) {
        if (call.ok) {
          current.closedAt = t;
          state = 'closed';
          inARow = 0;
        } else {
          inARow += 1;
          state = open(t, inARow, call);
        }
      }
      continue;
    }
    if (state === 'open' && current) {
      if (t < current.at + IN_FLIGHT_SLACK_MS) continue;
      if (t < current.at + coolDownMs - EARLY_SLACK_MS) whileOpen.push({ call, opening: current });
      else {
        current.trial = call;
        state = 'half-open';
      }
    } else if (state === 'half-open' && current?.trial) {
      secondTrials.push({ call, trial: current.trial });
    }
  }
  const openPeriods = openings.map((o): [number, number] => [o.at, o.closedAt ?? o.restartedAt ?? Number.POSITIVE_INFINITY]);
  return { openings, whileOpen, secondTrials, openPeriods, freshStarts: [...openPeriods, ...down] };
}

function openBetween(periods: ReadonlyArray<[number, number]>, from: number, to: number): boolean {
  return periods.some(([a, b]) => a < to && b > from);
}

export interface Retry {
  key: string;
  k: number;
  waitedMs: number;
  /** The failed call's answer. */
  after: number;
}

/** The shortest wait the k-th retry may have (pure). */
export function lowerBound(k: number, p: Pick<BreakerParams, 'baseDelayMs' | 'maxDelayMs'>): number {
  return Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (k - 1)) / 2;
}

/** Every retry with no fresh start (open period, down period) in its wait (pure). */
export function retriesOf(calls: readonly Call[], freshStarts: ReadonlyArray<[number, number]>): Retry[] {
  const byKey = new Map<string, Call[]>();
  for (const c of calls) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  const retries: Retry[] = [];
  for (const [key, list] of byKey) {
    let k = 0;
    list.forEach((call, i) => {
      const previous = list[i - 1];
      if (previous && openBetween(freshStarts, previous.end, call.at)) k = 0;
      if (call.ok) {
        k = 0;
        return;
      }
      k += 1;
      const next = list[i + 1];
      if (next && !openBetween(freshStarts, call.end, next.at)) retries.push({ key, k, waitedMs: next.at - call.end, after: call.end });
    });
  }
  return retries.sort((a, b) => a.after - b.after);
}

/** The service's scheduled bad spells, [start, end) (pure). */
export function outageOf(history: History, calls: Selector): { from: number; to: number } | undefined {
  const windows = faultEvents(history).filter((op) => op.stream === calls.stream && typeof op.value.window === 'string');
  const starts = windows.filter((op) => op.value.phase === 'start');
  if (starts.length === 0) return undefined;
  const heals = windows.filter((op) => op.value.phase === 'heal');
  return { from: Math.min(...starts.map((op) => op.t)), to: heals.length === starts.length ? Math.max(...heals.map((op) => op.t)) : Number.POSITIVE_INFINITY };
}

export const BACKOFF_CAUSES = {
  'hot-loop': 'Your program called again at once after a failure: a hot retry loop, which hammers a service that is already struggling. Wait before every retry: the k-th retry waits a random time between half and all of min(MAX_DELAY_MS, BASE_DELAY_MS * 2^(k-1)).',
  'too-short': 'Your first retries came sooner than the bound allows. The k-th retry waits a random time between half and all of min(MAX_DELAY_MS, BASE_DELAY_MS * 2^(k-1)) ("equal jitter"): the first one between BASE_DELAY_MS/2 and BASE_DELAY_MS, never from 0.',
  'no-backoff-growth': 'Your later retries waited no longer than the first ones: a fixed delay. Double the cap with every failed call of the job (BASE_DELAY_MS * 2^(k-1), at most MAX_DELAY_MS) and wait a random time between half and all of it.',
  'no-jitter': 'Your retries of the same rank waited exactly as long for every job: jobs that failed together retry together, in step, and hit the service in bursts. Draw each wait at random between half and all of the cap (cap/2 + random() * cap/2).',
} as const;

export const backoff: CheckDefinition<BreakerParams> = {
  name: 'backoff',
  causes: BACKOFF_CAUSES,
  parseParams: parseBreakerParams,
  run(history, p) {
    const title = 'Retries wait longer each time, with jitter';
    const cap = (k: number) => Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (k - 1));
    const expected = `the k-th retry of one ${p.subject} waits a random time between half and all of min(${p.maxDelayMs}, ${p.baseDelayMs} × 2^(k-1)) ms (retries 1 to 4: ${[1, 2, 3, 4].map((k) => `${cap(k) / 2}-${cap(k)}`).join(', ')} ms)`;
    const calls = callsOf(history, p.calls);
    const replay = replayBreaker(calls, p.failureThreshold, p.coolDownMs, downPeriodsOf(history));
    const retries = retriesOf(calls, replay.freshStarts);
    if (retries.length === 0) return { title, status: 'unknown', expected, observed: 'no retry to measure: no call failed and was tried again while the circuit was closed', examples: [] };
    const describe = (r: Retry) => `${r.key}: retry ${r.k} came ${r.waitedMs} ms after the failed call (at least ${lowerBound(r.k, p)} ms)`;
    const early = retries.filter((r) => r.waitedMs < lowerBound(r.k, p) - BOUND_SLACK_MS);
    if (early.length > 0) {
      const hot = early.filter((r) => r.waitedMs < HOT_LOOP_MS);
      // A hot loop retries at once, most of the time; a random wait from 0 ("full jitter")
      // is short now and then.
      const cause = hot.length * 2 >= retries.length ? 'hot-loop' : early.some((r) => r.k === 1) ? 'too-short' : 'no-backoff-growth';
      const shown = cause === 'hot-loop' ? hot : early;
      const observed =
        cause === 'hot-loop'
          ? `${hot.length} of ${retries.length} retries came within ${HOT_LOOP_MS} ms of the failed call: retried at once, in a loop`
          : cause === 'too-short'
            ? `${early.length} of ${retries.length} retries came sooner than their bound, first retries among them`
            : `${early.length} of ${retries.length} retries came sooner than their bound, all of them second or later retries: the waits did not grow (${summarizeWaits(retries)})`;
      return { title, status: 'fail', cause, expected, observed, examples: firstFew(shown).map(describe) };
    }
    const byK = new Map<number, number[]>();
    for (const r of retries) byK.set(r.k, [...(byK.get(r.k) ?? []), r.waitedMs]);
    const sampled = [...byK].filter(([, waits]) => waits.length >= JITTER_SAMPLES);
    const tight = sampled.filter(([k, waits]) => Math.max(...waits) - Math.min(...waits) < JITTER_SHARE * lowerBound(k, p));
    if (sampled.length >= 2 && tight.length >= sampled.length - 1) {
      return {
        title,
        status: 'fail',
        cause: 'no-jitter',
        expected,
        observed: `the retries of the same rank waited alike for every ${p.subject}: ${tight.map(([k, waits]) => `retry ${k} after ${Math.min(...waits)}-${Math.max(...waits)} ms (${waits.length} of them)`).join(', ')}`,
        examples: firstFew(retries.filter((r) => tight.some(([k]) => k === r.k))).map(describe),
      };
    }
    return { title, status: 'pass', expected, observed: `${retries.length} retries measured, each within its bound, spread by jitter (${summarizeWaits(retries)})`, examples: [] };
  },
};

/** "retry 1: 52-98 ms, retry 2: 104-190 ms". */
function summarizeWaits(retries: readonly Retry[]): string {
  const byK = new Map<number, number[]>();
  for (const r of retries) byK.set(r.k, [...(byK.get(r.k) ?? []), r.waitedMs]);
  return [...byK]
    .sort(([a], [b]) => a - b)
    .slice(0, 4)
    .map(([k, waits]) => `retry ${k}: ${Math.min(...waits)}-${Math.max(...waits)} ms`)
    .join(', ');
}

export const BREAKER_CAUSES = {
  'calls-while-open': 'Your program kept calling the failing service after FAILURE_THRESHOLD failures in a row: no circuit breaker, or one that lets calls past it (retries that skip it, a check made before the backoff wait instead of right before the call, a failed trial that opens it again without starting a new cool-down). Keep one breaker for the whole program and ask it right before every call; while it is open, make no call at all for COOL_DOWN_MS from the moment it opened (again).',
  'opened-late': 'Your circuit opened, but only after many more failures in a row than FAILURE_THRESHOLD: it counts something else than failed calls (a job whose retries were all used up, one job\'s own failures). Count every failed call, of any job, and open at FAILURE_THRESHOLD in a row.',
  'opened-early': 'Your program stopped calling while the service answered most calls fine: the circuit opened on failures that were not in a row. An OK answer sets the count of failures in a row back to 0.',
  'half-open-not-single': 'After the cool-down, several calls went out at once: a half-open circuit must let exactly one trial call through and hold every other job until that call has answered (OK: close; failed: open again).',
  'never-half-opened': 'Your circuit opened and never let a call through again, though jobs were waiting: after COOL_DOWN_MS it must half-open and let one trial call through.',
} as const;

export const circuitBreaker: CheckDefinition<BreakerParams> = {
  name: 'circuit-breaker',
  causes: BREAKER_CAUSES,
  parseParams: parseBreakerParams,
  run(history, p) {
    const title = 'A circuit breaker stops the calls while the service is down';
    const expected = `after ${p.failureThreshold} failed calls in a row the circuit opens: no call for ${seconds(p.coolDownMs)}, then exactly one trial call; a success closes it, a failure opens it again`;
    const calls = callsOf(history, p.calls);
    const down = downPeriodsOf(history);
    const replay = replayBreaker(calls, p.failureThreshold, p.coolDownMs, down);
    const outage = outageOf(history, p.calls);
    const sent = select(history, p.sent, 'ok').filter((op) => op.key !== undefined);
    const doneAt = new Map<string, number>();
    for (const c of calls) if (c.ok && !doneAt.has(c.key)) doneAt.set(c.key, c.end);
    const pendingAt = (t: number) => sent.filter((op) => op.t <= t && (doneAt.get(op.key as string) ?? Number.POSITIVE_INFINITY) > t).map((op) => op.key as string);
    const pauseMs = PAUSE_SHARE * p.coolDownMs;
    const pauses: Array<{ from: number; to: number }> = [];
    for (let i = 1; i < calls.length; i += 1) {
      const from = (calls[i - 1] as Call).at;
      const to = (calls[i] as Call).at;
      if (to - from >= pauseMs) pauses.push({ from, to });
    }
    const lastT = history.length > 0 ? Math.max(...history.map((op) => op.t)) : 0;
    const lastCall = calls.at(-1);
    if (lastCall && lastT - lastCall.at >= pauseMs) pauses.push({ from: lastCall.at, to: lastT });

    type Problem = { t: number; cause: keyof typeof BREAKER_CAUSES; observed: string; examples: string[] };
    const problems: Problem[] = [];
    // Jobs held back in a pause: pending at its start and called after it (a job never called
    // again was lost, which no-lost-messages tells; the lab's wait for it is not a pause).
    const heldBack = (g: { from: number; to: number }) => pendingAt(g.from).filter((key) => calls.some((c) => c.key === key && c.at >= g.to));
    const early = pauses.find((g) => !openBetween(replay.freshStarts, g.from, g.to) && heldBack(g).length > 0);
    if (early) {
      const before = calls.filter((c) => c.end <= early.from);
      const recent = before.slice(-3 * p.failureThreshold);
      const failed = recent.filter((c) => !c.ok).length;
      problems.push({
        t: early.from,
        cause: 'opened-early',
        observed: `no call for ${seconds(early.to - early.from)} from ${seconds(early.from)} while ${heldBack(early).length} ${p.subject}s waited, though the last ${p.failureThreshold} answers before it were not all failures (${failed} of the last ${recent.length} calls had failed)`,
        examples: firstFew(recent.map((c) => `${seconds(c.at)} ${c.key}: ${c.ok ? 'OK' : `failed${c.status ? ` (${c.status})` : ''}`}`)),
      });
    }
    const firstWhileOpen = replay.whileOpen[0];
    if (firstWhileOpen) {
      const { opening } = firstWhileOpen;
      const leaks = replay.whileOpen.filter((w) => w.opening === opening);
      const pause = pauses.find((g) => g.from >= opening.at);
      let inARow = 0;
      // The failures in a row up to the pause's last call (since the program's last start):
      // the one that opened the program's circuit.
      const startedAt = Math.max(0, ...down.map(([, to]) => to).filter((to) => pause !== undefined && to <= pause.from));
      if (pause) for (const c of calls.filter((c) => c.at >= startedAt && c.at <= pause.from).sort((a, b) => a.end - b.end)) inARow = c.ok ? 0 : inARow + 1;
      // Not after a failed trial: the program's circuit had opened already (it made a trial).
      const late = !opening.afterTrial && pause !== undefined && inARow > p.failureThreshold + p.concurrency - 1;
      problems.push({
        t: firstWhileOpen.call.at,
        cause: late ? 'opened-late' : 'calls-while-open',
        observed: late
          ? `the circuit should have opened at ${seconds(opening.at)} (${p.failureThreshold} failures in a row), but your program first paused at ${seconds((pause as { from: number }).from)}, after ${inARow} failed calls in a row`
          : `${leaks.length} call${leaks.length === 1 ? '' : 's'} within the ${seconds(p.coolDownMs)} after the circuit opened ${
              opening.afterTrial
                ? `again at ${seconds(opening.at)}: the trial call at ${seconds(opening.afterTrial.at)} (${opening.afterTrial.key}) failed, so a new cool-down of ${seconds(p.coolDownMs)} started then`
                : `at ${seconds(opening.at)} (${p.failureThreshold} failures in a row)`
            }, ${replay.whileOpen.length} in all while it should have been open${pauses.some((g) => outage && g.from >= outage.from && g.from < outage.to) ? '' : ': it never paused while the service was failing'}`,
        examples: firstFew(leaks.map((w) => `${w.call.key}: called at ${seconds(w.call.at)}, ${w.call.at - opening.at} ms after the circuit opened${opening.afterTrial ? ' again' : ''}`)),
      });
    }
    const second = replay.secondTrials[0];
    if (second) {
      const same = replay.secondTrials.filter((s) => s.trial === second.trial);
      problems.push({
        t: second.call.at,
        cause: 'half-open-not-single',
        observed: `after the cool-down, ${same.length + 1} calls went out before the trial call (${second.trial.key} at ${seconds(second.trial.at)}) had answered`,
        examples: firstFew([second.trial, ...same.map((s) => s.call)].map((c) => `${c.key}: called at ${seconds(c.at)}`)),
      });
    }
    const last = replay.openings.at(-1);
    if (last && last.closedAt === undefined && last.restartedAt === undefined && !last.trial) {
      const waiting = pendingAt(lastT);
      if (waiting.length > 0 && lastT - last.at > p.coolDownMs + p.maxDelayMs + 1_000) {
        problems.push({
          t: last.at + p.coolDownMs,
          cause: 'never-half-opened',
          observed: `the circuit opened at ${seconds(last.at)} and no call came in the ${seconds(lastT - last.at)} after it, while ${waiting.length} ${p.subject}s waited (the service was back at ${outage ? seconds(outage.to) : '?'})`,
          examples: firstFew(waiting),
        });
      }
    }
    const first = problems.sort((a, b) => a.t - b.t)[0];
    if (first) return { title, status: 'fail', cause: first.cause, expected, observed: first.observed, examples: first.examples };
    if (replay.openings.length === 0) return { title, status: 'unknown', expected, observed: `the circuit never had ${p.failureThreshold} failed calls in a row to open on`, examples: [] };
    const closed = replay.openings.find((o) => o.closedAt !== undefined);
    return {
      title,
      status: 'pass',
      expected,
      observed: `opened at ${seconds((replay.openings[0] as Opening).at)} after ${p.failureThreshold} failures in a row, ${replay.openings.length} time${replay.openings.length === 1 ? '' : 's'} in all, one trial call after each cool-down${closed?.closedAt === undefined ? '' : `; closed again at ${seconds(closed.closedAt)}`}`,
      examples: [],
    };
  },
};
