/**
 * bounded-in-flight and catch-up: a consumer under backpressure while its downstream is slow.
 *
 * Definitions:
 * - the spell: the downstream's window named `window` (its fault events "start" and "heal",
 *   runner/downstream-schedule.ts); the flood: from the workload's phase `phase` (the backlog
 *   is published then) to the end of the spell.
 * - sample: an observation `learner-sample` (workloads/blocks/sample-learner.ts): a copy's
 *   resident memory, and its queue's unacked / ready / acked counts as the management API
 *   saw them (they lag by up to a second: a count is "at least this, a moment ago").
 * - limit: `maxInFlight` per copy, times `instances`: the messages taken and not yet
 *   acknowledged, at any moment.
 * - done by t: messages with an ok call (`calls`) answered by t.
 * - acked ahead: a sample's acked count minus the messages done by the sample's time. A
 *   program that acks after the work is never ahead (the service answers before the ack);
 *   one that acks on arrival and keeps the work in its own memory is ahead by its backlog.
 * - calls in flight: calls (`calls`, any outcome) between their arrival (`value.arrivedAt`)
 *   and their answer (the op's time), the most at one moment.
 * - growth: a copy's largest resident memory during the flood minus its baseline (the median
 *   of its samples in the `baselineMs` before the flood).
 *
 * bounded-in-flight passes when none of these holds, else fails with the first cause:
 * - acked-before-done: acked ahead by more than the limit (+ `slack`) at some sample;
 * - unacked-over-limit: more than the limit (+ `slack`) unacked at some sample;
 * - calls-over-limit: more calls in flight than the limit (+ `slack`);
 * - memory-grew: a copy's growth above `maxGrowthMiB`.
 * Unknown: no spell, or no samples.
 *
 * catch-up passes when every message sent (`sent`) was done within `catchUpMs` after the
 * spell ended; fails when some were done later or never: cause stalled when nothing at all was
 * done in the last third of that time (the program stopped: lost or leaked messages), else
 * too-slow. Unknown: no spell ended.
 */
import type { History, Operation } from '../runner/history.js';
import { observationsOf } from '../runner/observations.js';
import { callValue } from '../runner/calls.js';
import { isFaultEvent } from '../faults/events.js';
import { type CheckDefinition, type Selector, countOf, firstFew, matches, num, select, selector, str } from './types.js';

export interface BoundedInFlightParams {
  subject: string;
  calls: Selector;
  window: string;
  phase: string;
  maxInFlight: number;
  instances: number;
  slack: number;
  maxGrowthMiB: number;
  baselineMs: number;
}

export interface CatchUpParams {
  subject: string;
  sent: Selector;
  calls: Selector;
  window: string;
  catchUpMs: number;
}

export const BOUNDED_IN_FLIGHT_CAUSES = {
  'acked-before-done':
    'Your program acknowledged messages long before it had done them: it took them off the queue and kept them in its own memory (an array, a task queue, a pool\'s queue), so the broker kept sending. Ack a message only after its work is done; then the prefetch limits what your program holds.',
  'unacked-over-limit':
    'More messages were delivered to your program and unacknowledged than the limit: the prefetch (basic.qos) is missing or larger than the limit, so the broker pushes the backlog into your process. Set the channel\'s prefetch to the limit before you consume (amqplib: channel.prefetch(n); pika: channel.basic_qos(prefetch_count=n)).',
  'calls-over-limit':
    'More calls were in flight at the service at once than the limit: your program starts work for everything it holds. Start at most the limit at once: let the prefetch hold the rest back, or wait for a free slot (a semaphore) before each call.',
  'memory-grew':
    'Your program\'s memory grew with the backlog while the service was slow: it holds waiting work (message bodies, parsed payloads, pending promises) in its own process. Leave the backlog in the queue: take a message only when you can work on it.',
} as const;

export const CATCH_UP_CAUSES = {
  'too-slow':
    'Your program worked through the backlog too slowly once the service was fast again: it does one message at a time. Work on up to the limit at once (a prefetch of the limit, and a handler that does not wait for the previous message).',
  stalled:
    'Your program stopped getting through the backlog: messages were still not done long after the service was fast again, and it made no progress for seconds (messages lost, or taken and never acknowledged, so the prefetch let no more through). Ack every message whose work is done, nack (with requeue) one that failed, and never drop one.',
} as const;

const MiB = 1024 * 1024;

/** The spell's start and end (ms), from the downstream's fault events. */
function spellOf(history: History, window: string): { start?: number; end?: number } {
  const spell: { start?: number; end?: number } = {};
  for (const op of history) {
    if (!isFaultEvent(op) || op.process !== 'downstream') continue;
    const value = op.value;
    if (value.window !== window) continue;
    if (value.phase === 'start' && spell.start === undefined) spell.start = op.t;
    if (value.phase === 'heal' && spell.end === undefined) spell.end = op.t;
  }
  return spell;
}

/** The most calls in flight at one moment, and when. */
export function mostInFlight(calls: readonly Operation[]): { most: number; at: number } {
  const edges: Array<[number, number]> = [];
  for (const op of calls) {
    const arrivedAt = callValue(op).arrivedAt;
    if (typeof arrivedAt !== 'number') continue;
    edges.push([arrivedAt, 1], [op.t, -1]);
  }
  // Ends before starts at the same moment: a call answered as the next arrives is not overlap.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let best = { most: 0, at: 0 };
  for (const [t, d] of edges) {
    now += d;
    if (now > best.most) best = { most: now, at: t };
  }
  return best;
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const boundedInFlight: CheckDefinition<BoundedInFlightParams> = {
  name: 'bounded-in-flight',
  causes: BOUNDED_IN_FLIGHT_CAUSES,
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    calls: selector(raw, 'calls'),
    window: str(raw, 'window'),
    phase: str(raw, 'phase'),
    maxInFlight: num(raw, 'maxInFlight'),
    instances: num(raw, 'instances', 1),
    slack: num(raw, 'slack', 2),
    maxGrowthMiB: num(raw, 'maxGrowthMiB'),
    baselineMs: num(raw, 'baselineMs', 1_500),
  }),
  run(history: History, p) {
    const limit = p.maxInFlight * p.instances;
    const title = `At most ${limit} ${p.subject}s in flight, and memory bounded, while the service is slow`;
    const expected = `at most ${limit} ${p.subject}s taken and not yet acknowledged at any moment, each acked after its work, at most ${limit} calls at once, and memory within ${p.maxGrowthMiB} MiB of your program's own baseline during the flood`;
    const spell = spellOf(history, p.window);
    const floodAt = history.find((op) => op.kind === 'phase' && op.key === p.phase)?.t;
    const samples = observationsOf(history, 'learner-sample');
    if (spell.start === undefined || floodAt === undefined || samples.length === 0) {
      return { title, status: 'unknown', expected, observed: 'the lab has no samples of your program during a slow spell of the service (did it run that far?)', examples: [] };
    }
    const floodEnd = spell.end ?? Number.POSITIVE_INFINITY;
    const calls = select(history, p.calls);
    const doneAt = calls.filter((op) => op.outcome === 'ok').map((op) => op.t).sort((a, b) => a - b);
    const doneBy = (t: number) => {
      let lo = 0;
      let hi = doneAt.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((doneAt[mid] as number) <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };

    const withQueue = samples.filter((s) => s.value.queue !== undefined);
    const ahead = withQueue.map((s) => ({ t: s.t, ahead: (s.value.queue?.acked ?? 0) - doneBy(s.t), acked: s.value.queue?.acked ?? 0 })).sort((a, b) => b.ahead - a.ahead)[0];
    if (ahead && ahead.ahead > limit + p.slack) {
      return {
        title,
        status: 'fail',
        expected,
        observed: `${secs(ahead.t - floodAt)} into the flood, RabbitMQ counted ${ahead.acked} ${p.subject}s acknowledged while the service had done only ${doneBy(ahead.t)}: ${ahead.ahead} acked and not done, held in your program`,
        examples: [],
        cause: 'acked-before-done',
      };
    }
    const unacked = withQueue.map((s) => ({ t: s.t, n: s.value.queue?.unacked ?? 0 })).sort((a, b) => b.n - a.n)[0];
    if (unacked && unacked.n > limit + p.slack) {
      const over = withQueue.filter((s) => (s.value.queue?.unacked ?? 0) > limit + p.slack).length;
      return {
        title,
        status: 'fail',
        expected,
        observed: `${unacked.n} ${p.subject}s were delivered and unacknowledged at once (${secs(unacked.t - floodAt)} into the flood), the limit is ${limit}; over it in ${over} of ${withQueue.length} samples`,
        examples: [],
        cause: 'unacked-over-limit',
      };
    }
    const inFlight = mostInFlight(calls);
    if (inFlight.most > limit + p.slack) {
      return {
        title,
        status: 'fail',
        expected,
        observed: `${inFlight.most} calls were in flight at the service at once (${secs(inFlight.at - floodAt)} into the flood), the limit is ${limit}`,
        examples: [],
        cause: 'calls-over-limit',
      };
    }
    const examples: string[] = [];
    let worst: { instance: number; growth: number; base: number; peak: number } | undefined;
    for (const instance of new Set(samples.map((s) => s.value.instance))) {
      const own = samples.filter((s) => s.value.instance === instance);
      const before = own.filter((s) => s.t < floodAt && s.t >= floodAt - p.baselineMs).map((s) => s.value.rssBytes).sort((a, b) => a - b);
      const during = own.filter((s) => s.t >= floodAt && s.t <= floodEnd).map((s) => s.value.rssBytes);
      if (before.length === 0 || during.length === 0) continue;
      const base = before[Math.floor(before.length / 2)] as number;
      const peak = Math.max(...during);
      examples.push(`copy ${instance}: ${mib(base)} at rest, at most ${mib(peak)} during the flood`);
      if (!worst || peak - base > worst.growth) worst = { instance, growth: peak - base, base, peak };
    }
    if (worst && worst.growth > p.maxGrowthMiB * MiB) {
      return {
        title,
        status: 'fail',
        expected,
        observed: `copy ${worst.instance}'s memory grew by ${mib(worst.growth)} during the flood (${mib(worst.base)} at rest, ${mib(worst.peak)} at most), more than ${p.maxGrowthMiB} MiB`,
        examples: firstFew(examples),
        cause: 'memory-grew',
      };
    }
    const most = unacked?.n ?? 0;
    return {
      title,
      status: 'pass',
      expected,
      observed: `at most ${most} unacknowledged and ${inFlight.most} calls at once; memory grew by ${worst ? mib(worst.growth) : 'an unknown amount'} at most during the flood`,
      examples: firstFew(examples),
    };
  },
};

export const catchUp: CheckDefinition<CatchUpParams> = {
  name: 'catch-up',
  causes: CATCH_UP_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), sent: selector(raw, 'sent'), calls: selector(raw, 'calls'), window: str(raw, 'window'), catchUpMs: num(raw, 'catchUpMs') }),
  run(history: History, p) {
    const title = `The backlog is done within ${secs(p.catchUpMs)} once the service is fast again`;
    const expected = `every ${p.subject} done within ${secs(p.catchUpMs)} after the slow spell ended`;
    const spell = spellOf(history, p.window);
    if (spell.end === undefined) return { title, status: 'unknown', expected, observed: 'the slow spell never ended while the lab watched', examples: [] };
    const sent = new Set(history.filter((op) => matches(op, p.sent) && op.outcome === 'ok' && op.key !== undefined).map((op) => op.key as string));
    if (sent.size === 0) return { title, status: 'unknown', expected, observed: `the lab sent no ${p.subject}`, examples: [] };
    const firstDone = new Map<string, number>();
    for (const op of history) if (matches(op, p.calls) && op.outcome === 'ok' && op.key && sent.has(op.key) && !firstDone.has(op.key)) firstDone.set(op.key, op.t);
    const deadline = spell.end + p.catchUpMs;
    const late = [...sent].filter((k) => (firstDone.get(k) ?? Number.POSITIVE_INFINITY) > deadline);
    const lastAt = firstDone.size > 0 ? Math.max(...firstDone.values()) : undefined;
    if (late.length === 0 || lastAt === undefined) {
      if (lastAt === undefined) return { title, status: 'fail', expected, observed: `no ${p.subject} was ever done (${sent.size} sent)`, examples: firstFew(late), cause: 'stalled' };
      return { title, status: 'pass', expected, observed: `the last ${p.subject} was done ${secs(Math.max(0, lastAt - spell.end))} after the slow spell ended`, examples: [] };
    }
    const doneAtDeadline = [...firstDone.values()].filter((t) => t <= deadline).length;
    const afterSpell = [...firstDone.values()].filter((t) => t > spell.end!);
    // Nothing done in the last seconds before the deadline while pages were missing: stuck, not slow.
    const stalled = ![...firstDone.values()].some((t) => t > deadline - p.catchUpMs / 3 && t <= deadline + 10_000);
    const rate = afterSpell.length / Math.max(0.001, (Math.min(lastAt, deadline + 10_000) - spell.end) / 1000);
    return {
      title,
      status: 'fail',
      expected,
      observed: stalled
        ? `${countOf(late.length, sent.size, p.subject)} were not done ${secs(p.catchUpMs)} after the slow spell ended (${doneAtDeadline} done by then), and your program stood still: the last ${p.subject} done was ${lastAt <= spell.end ? `${secs(spell.end - lastAt)} before the spell ended` : `${secs(lastAt - spell.end)} after it`}`
        : `${countOf(late.length, sent.size, p.subject)} were not done ${secs(p.catchUpMs)} after the slow spell ended (${doneAtDeadline} done by then); after it your program did about ${Math.round(rate)} ${p.subject}s a second`,
      examples: firstFew(late),
      cause: stalled ? 'stalled' : 'too-slow',
    };
  },
};
