/**
 * fan-out
 *
 * Publish/subscribe gives every subscriber its own copy of each message (a work queue gives
 * each message to one worker). With several copies of the learner's program subscribed,
 * every copy must see every event, which it shows by calling the lab's downstream for it.
 *
 * Definitions:
 * - event: an operation matching `sent` with outcome "ok" (the lab published it).
 * - report: an operation matching `reported` with outcome "ok" and the event's key; the copy
 *   that made it is the downstream's `instance` (the x-instance-id header).
 * - copies: the learner processes the history shows starting ("learner-2" is copy 2).
 * - expected: a copy must report an event when it was running when the event was published,
 *   had not been killed by the lab (its exit is recorded a moment after the kill), and the
 *   lab did not kill it within `graceMs` after (a copy killed mid-run may not have
 *   got to the events of its last moments).
 * - missing: an expected (event, copy) pair without a report.
 *
 * Causes, from the evidence:
 * - rejected: reports are missing, and the lab's service refused reports as malformed (a 400
 *   naming what is wrong: the copy's header, a field's type);
 * - nothing-reported: no copy reported any event;
 * - one-copy-per-event: events are missing, and no event was reported by more than one
 *   copy: the events were shared out like jobs (one copy claims each, or only one copy
 *   listens) instead of reaching every copy;
 * - missed-by-some: events are missing, while others reached several copies;
 * - reported-twice: nothing is missing, but a copy reported an event more than once.
 */
import type { History } from '../runner/history.js';
import { type CheckDefinition, type Selector, countOf, firstFew, num, select, selector, seconds, str } from './types.js';
import { killedBefore, lifeEventsOf } from './work-lists.js';
import { learnerEvents } from '../runner/learner-events.js';
import { callValue } from '../runner/calls.js';

export interface FanOutParams {
  /** What one message is to the learner: "event". */
  subject: string;
  sent: Selector;
  reported: Selector;
  graceMs: number;
}

export type FanOutCause = 'rejected' | 'nothing-reported' | 'one-copy-per-event' | 'missed-by-some' | 'reported-twice';

export const FAN_OUT_CAUSES: Record<FanOutCause, string> = {
  rejected: "The lab's service refused reports as malformed (HTTP 400), saying what is wrong (in the examples): send exactly what the README's contract asks, the header naming the copy included.",
  'nothing-reported': 'No copy reported any event. Subscribe every copy to the channel and report each message it receives.',
  'one-copy-per-event':
    'Each event reached only one copy of your program: they were shared out like jobs (claimed by one copy, or only one copy listens). Publish/subscribe gives every subscriber its own copy: every copy subscribes, and every copy reports every event it receives, without checking what the others did.',
  'missed-by-some':
    'Some copies missed events that others got. Every copy must subscribe before the lab publishes (it waits until all copies did) and stay subscribed; handle each message as it comes, and keep that apart from slow work so nothing is dropped meanwhile.',
  'reported-twice': 'A copy reported the same event more than once: subscribe once per copy (one handler, one subscription), and report each message once.',
};

export const fanOut: CheckDefinition<FanOutParams> = {
  name: 'fan-out',
  causes: FAN_OUT_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), sent: selector(raw, 'sent'), reported: selector(raw, 'reported'), graceMs: num(raw, 'graceMs', 2_000) }),
  run(history: History, p) {
    const title = `Every ${p.subject} reaches every copy`;
    const events = select(history, p.sent, 'ok').filter((op) => op.key !== undefined);
    // Copy number -> when it was running: [start, end) intervals from its process events.
    const runs = new Map<number, Array<[number, number]>>();
    for (const op of learnerEvents(history)) {
      const m = /^learner-(\d+)$/.exec(op.process);
      if (!m) continue;
      const instance = Number(m[1]);
      const event = op.value.event;
      const spans = runs.get(instance) ?? [];
      if (event === 'start') spans.push([op.t, Number.POSITIVE_INFINITY]);
      const last = spans[spans.length - 1];
      if (event === 'exit' && last && last[1] === Number.POSITIVE_INFINITY) last[1] = op.t;
      runs.set(instance, spans);
    }
    const copies = [...runs.keys()].sort((a, b) => a - b);
    const expected = `each of the ${events.length} ${p.subject}s reaches every copy that is running (${copies.length}) and is reported by each`;
    if (events.length === 0 || copies.length === 0) return { title, status: 'unknown', expected, observed: `the lab published no ${p.subject}`, examples: [] };

    const life = lifeEventsOf(history);
    const runningAt = (instance: number, t: number) => (runs.get(instance) ?? []).some(([from, to]) => from <= t && t < to);
    // Killed already (its exit is recorded a moment after the kill), or soon after.
    const killedSoonAfter = (instance: number, t: number) => killedBefore(life, instance, t) !== undefined || (life.kills.get(instance) ?? []).some((k) => k >= t && k < t + p.graceMs);
    const reports = new Map<string, Map<number, number>>();
    for (const op of select(history, p.reported, 'ok')) {
      if (op.key === undefined) continue;
      const instance = callValue(op).instance ?? 1;
      const byCopy = reports.get(op.key) ?? new Map<number, number>();
      byCopy.set(instance, (byCopy.get(instance) ?? 0) + 1);
      reports.set(op.key, byCopy);
    }

    const missing: Array<{ key: string; t: number; expected: number[]; got: number[] }> = [];
    let pairs = 0;
    for (const event of events) {
      const key = event.key as string;
      const want = copies.filter((c) => runningAt(c, event.t) && !killedSoonAfter(c, event.t));
      pairs += want.length;
      const got = [...(reports.get(key)?.keys() ?? [])].sort((a, b) => a - b);
      if (want.some((c) => !got.includes(c))) missing.push({ key, t: event.t, expected: want, got });
    }
    const perCopy = copies.map((c) => `${c}: ${events.filter((e) => reports.get(e.key as string)?.has(c)).length}`).join(', ');
    const story = (m: (typeof missing)[number]) =>
      `${m.key} (published at ${seconds(m.t)}): reported by ${m.got.length === 0 ? 'no copy' : m.got.length === 1 ? `copy ${m.got[0]} only` : `copies ${m.got.join(', ')}`}, expected ${m.expected.length === 1 ? `copy ${m.expected[0]}` : `copies ${m.expected.join(', ')}`}`;

    if (missing.length > 0) {
      const missedPairs = missing.reduce((n, m) => n + m.expected.filter((c) => !m.got.includes(c)).length, 0);
      const reportedAny = [...reports.values()].some((byCopy) => byCopy.size > 0);
      const refused = history.filter((op) => op.kind === p.reported.kind && (p.reported.stream === undefined || op.stream === p.reported.stream) && callValue(op).rejected !== undefined);
      if (refused.length > 0) {
        const reason = callValue(refused[0]).rejected ?? '';
        return {
          title,
          status: 'fail',
          expected,
          observed: `${countOf(missing.length, events.length, p.subject)} did not reach every copy, and the service refused ${refused.length} report${refused.length === 1 ? '' : 's'} with 400: "${reason}"`,
          examples: firstFew(missing.map(story)),
          cause: 'rejected',
        };
      }
      const cause: FanOutCause = !reportedAny ? 'nothing-reported' : [...reports.values()].every((byCopy) => byCopy.size <= 1) ? 'one-copy-per-event' : 'missed-by-some';
      const observed =
        cause === 'nothing-reported'
          ? `no copy reported any of the ${events.length} ${p.subject}s`
          : cause === 'one-copy-per-event'
            ? `no ${p.subject} was reported by more than one copy: ${countOf(missing.length, events.length, p.subject)} missed ${missedPairs} of ${pairs} expected reports (${p.subject}s reported per copy: ${perCopy})`
            : `${countOf(missing.length, events.length, p.subject)} did not reach every copy: ${missedPairs} of ${pairs} expected reports are missing (${p.subject}s reported per copy: ${perCopy})`;
      return { title, status: 'fail', expected, observed, examples: firstFew(missing.map(story)), cause };
    }
    const twice = [...reports].flatMap(([key, byCopy]) => [...byCopy].filter(([, n]) => n > 1).map(([c, n]) => `${key}: reported ${n} times by copy ${c}`));
    if (twice.length > 0) {
      return { title, status: 'fail', expected, observed: `every ${p.subject} reached every copy, but ${twice.length} report${twice.length === 1 ? ' was' : 's were'} made more than once by the same copy`, examples: firstFew(twice), cause: 'reported-twice' };
    }
    return { title, status: 'pass', expected, observed: `all ${events.length} ${p.subject}s reached every running copy (${pairs} reports)`, examples: [] };
  },
};
