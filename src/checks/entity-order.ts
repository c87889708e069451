/**
 * Ordering while consumers scale out: every entity's events applied in sequence, and an event
 * applied again only where a rebalance explains it.
 *
 * Definitions:
 * - entity: the produced value's `entity` field (an account id); its sequence is the order in
 *   which the lab produced its events (the events carry it as `seq`, 1, 2, 3...).
 * - applied: an event's first successful `delivered` operation (a call the lab's service
 *   answered OK). The history records a call when it was answered, so two calls running side
 *   by side count in the order they finished, as a real ledger would have applied them.
 * - out of order: an event first applied after a later event of its entity was (in-order's
 *   inversion, over first applications only: a repeat is not a reordering).
 * - copy: the copy of the learner's program that made the call (`value.instance`).
 * - side by side: the later event's call had not been answered yet when the reordered one's
 *   call arrived (`value.arrivedAt`); else the copy made them one after another, in the wrong
 *   order.
 * - repeat: a successful delivery of an event after its first one.
 * - rebalance mark: a scale-learner fault event (a copy started or stopped) or a change in the
 *   consumer group the lab sampled (`kafka-group` observations are recorded on change only).
 * - excused repeat: applied again at most `windowMs` after its first application, with a
 *   rebalance mark in between or within `windowMs` of either: the partition moved, and its new
 *   owner started from the last committed offset, just before which the event was applied.
 *   Or: applied again after a kill-learner kill, first applied by the killed copy within
 *   `windowMs` of the moment the kill's hold began (or the kill, without a hold), or from
 *   `windowMs` before the kill until its restart: the restarted copy (or the partition's
 *   next owner) starts from the last commit, after which the killed copy had applied those
 *   events (the held call's batch: the ones before it, and others run beside it).
 */
import type { History, Operation } from '../runner/history.js';
import { callValue } from '../runner/calls.js';
import { isFaultEvent } from '../faults/events.js';
import { lastObservation, observationsOf } from '../runner/observations.js';
import { groupOf, inversions } from './order.js';
import { type CheckDefinition, type Selector, countOf, firstFew, num, select, selector, seconds, str } from './types.js';

export interface EntityOrderParams {
  subject: string;
  /** The produced value's field naming the entity ("accountId"). */
  entity: string;
  /** What an entity is called in messages ("account"; default: the field). */
  entityNoun: string;
  sent: Selector;
  delivered: Selector;
}

export const ENTITY_ORDER_CAUSES = {
  'within-one-copy':
    "One copy applied an entity's events side by side, and a later one finished first: a worker pool, Promise.all over a batch, calls not awaited, or queues keyed by something other than the entity. Work on one entity's events one at a time, in offset order; run different entities (or partitions) side by side if you want speed.",
  'not-in-offset-order':
    "One copy applied an account's events one after another, but not in the order they came: it sorted or regrouped them first (by type, amount, id...). Apply each partition's events in offset order, exactly as Kafka gives them to you.",
  'across-copies':
    "Two copies applied the same entity's events at once around a rebalance: the new owner of a partition started on later events while the old owner was still applying earlier ones. Finish (and commit) everything you fetched from a partition before you give it up: don't leave work running in the background after your batch handler returned.",
} as const;

const copyOf = (op: Operation): number => callValue(op).instance ?? 1;

/**
 * entity-order
 *
 * Passes when no event was first applied after a later event of its entity. Cause, for the
 * pairs one copy applied (its own doing comes first; a rebalance can add to it):
 * within-one-copy when any ran side by side, not-in-offset-order when one after another;
 * else across-copies.
 */
export const entityOrder: CheckDefinition<EntityOrderParams> = {
  name: 'entity-order',
  causes: ENTITY_ORDER_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), entity: str(raw, 'entity'), entityNoun: str(raw, 'entityNoun', str(raw, 'entity')), sent: selector(raw, 'sent'), delivered: selector(raw, 'delivered') }),
  run(history, p) {
    const { seen, inversions: found } = inversions(history, p.sent, p.delivered, (op) => groupOf(op, p.entity));
    const title = `Each ${p.entityNoun}'s ${p.subject}s are applied in sequence`;
    const expected = `per ${p.entityNoun}, every ${p.subject} is first applied after the ones produced before it, whichever copy applies it`;
    if (seen === 0) return { title, status: 'unknown', expected, observed: `no ${p.subject} was applied, so order could not be judged`, examples: [] };
    if (found.length === 0) return { title, status: 'pass', expected, observed: `${seen} applied, every ${p.entityNoun} in sequence`, examples: [] };
    const sameCopy = found.filter((i) => copyOf(i.late) === copyOf(i.overtaker));
    const sideBySide = sameCopy.filter((i) => (callValue(i.late).arrivedAt ?? i.late.t) < i.overtaker.t);
    const cause = sideBySide.length > 0 ? 'within-one-copy' : sameCopy.length > 0 ? 'not-in-offset-order' : 'across-copies';
    const shown = cause === 'within-one-copy' ? [...sameCopy, ...found.filter((i) => !sameCopy.includes(i))] : found;
    const entities = new Set(found.map((i) => i.group));
    return {
      title,
      status: 'fail',
      expected,
      observed:
        `${countOf(found.length, seen, p.subject)} ${found.length === 1 ? 'was' : 'were'} applied after a later one of the same ${p.entityNoun} (${entities.size} ${p.entityNoun}${entities.size === 1 ? '' : 's'})` +
        (cause === 'within-one-copy'
          ? `, ${sameCopy.length === found.length ? 'each time' : `${sameCopy.length} of them`} by the copy that had just applied the later one, ${sideBySide.length === sameCopy.length ? 'both' : `${sideBySide.length} pairs`} in flight at once`
          : cause === 'not-in-offset-order'
            ? `, ${sameCopy.length === found.length ? 'each time' : `${sameCopy.length} of them`} by the same copy that had applied the later one, one call after the other`
            : `, ${found.length === 1 ? '' : 'each time '}by another copy than the one that applied the later one`),
      examples: firstFew(shown, 3).map(
        (i) =>
          `${i.group}: ${i.late.key} (#${i.lateIndex + 1}) applied at ${seconds(i.late.t)} by copy ${copyOf(i.late)}, after ${i.overtaker.key} (#${i.overtakerIndex + 1}) at ${seconds(i.overtaker.t)} by copy ${copyOf(i.overtaker)}`,
      ),
      cause,
    };
  },
};

export interface RepeatsParams {
  subject: string;
  delivered: Selector;
  windowMs: number;
}

export const REPEAT_CAUSES = {
  'every-copy-reads-everything':
    'Other copies applied events again long after they had been applied: your copies do not share the partitions as one consumer group. Every copy must subscribe (not assign partitions itself) with the group id GROUP_ID, unchanged, so that each partition has exactly one owner.',
  'never-committed':
    'At every rebalance the owners of the partitions, new ones and old, started them over from the beginning: your group never committed an offset. Commit as you go, after each event is applied (kafkajs commits for you after eachMessage or eachBatch returns, unless autoCommit is off; confluent-kafka: commit(message) after applying it).',
  'repeats-own-work':
    'A copy applied events again that it had itself applied, with no rebalance to explain it: a retry that redoes a whole batch, a handler registered twice, or offsets that were never committed. Commit as you go and retry only what failed.',
} as const;

/** A kill of a copy, and the span in which what it applied may be applied again after it. */
export interface KillSpan {
  instance: number;
  /** When the kill's hold began (the kill itself, without a hold). */
  from: number;
  killedAt: number;
  /** The restart (or the kill, when the copy was not restarted). */
  until: number;
}

/** The kill-learner kills of the run, each with its hold and restart (pure). */
export function killSpans(history: History): KillSpan[] {
  const spans: KillSpan[] = [];
  const events = history.filter(isFaultEvent).filter((op) => op.value.fault === 'kill-learner');
  for (const kill of events.filter((op) => op.value.phase === 'start')) {
    const same = events.filter((op) => op.value.id === kill.value.id);
    const hold = same.filter((op) => op.value.phase === 'hold' && op.t <= kill.t).at(-1);
    const heal = same.find((op) => op.value.phase === 'heal' && op.t >= kill.t);
    spans.push({ instance: kill.value.instance ?? 1, from: hold?.t ?? kill.t, killedAt: kill.t, until: heal?.t ?? kill.t });
  }
  return spans;
}

/** When the group changed: a copy started or stopped, or the lab saw the group change. */
function rebalanceMarks(history: History): number[] {
  return history.filter((op) => (isFaultEvent(op) && op.value.fault === 'scale-learner') || (op.kind === 'observe' && op.key === 'kafka-group')).map((op) => op.t);
}

/**
 * repeats-only-at-rebalance
 *
 * At-least-once: when a partition moves to another copy, or a killed copy is started again,
 * its new owner starts from the last committed offset, so the last moment's events may be
 * applied again. Passes when every
 * repeat is excused (see the definitions above). Cause: every-copy-reads-everything when most
 * unexcused repeats came from another copy than the first application or the lab saw groups of
 * the run other than GROUP_ID, never-committed when the group held no committed offset at the
 * end (observation "kafka-committed-offsets"), else repeats-own-work.
 */
export const repeatsOnlyAtRebalance: CheckDefinition<RepeatsParams> = {
  name: 'repeats-only-at-rebalance',
  causes: REPEAT_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), delivered: selector(raw, 'delivered'), windowMs: num(raw, 'windowMs', 2_000) }),
  run(history, p) {
    const title = `${/^[aeiou]/i.test(p.subject) ? 'An' : 'A'} ${p.subject} is applied again only right after a rebalance`;
    const expected = `${/^[aeiou]/i.test(p.subject) ? 'an' : 'a'} ${p.subject} applied more than once only when a partition moved right after it was applied (within ${seconds(p.windowMs)})`;
    const marks = rebalanceMarks(history);
    const kills = killSpans(history);
    const first = new Map<string, Operation>();
    const repeats: Array<{ first: Operation; again: Operation }> = [];
    for (const op of select(history, p.delivered, 'ok')) {
      const key = op.key ?? '';
      const earlier = first.get(key);
      if (earlier) repeats.push({ first: earlier, again: op });
      else first.set(key, op);
    }
    const afterKill = (r: { first: Operation; again: Operation }) =>
      kills.some((k) => copyOf(r.first) === k.instance && r.again.t > k.killedAt && (Math.abs(r.first.t - k.from) <= p.windowMs || (r.first.t >= k.killedAt - p.windowMs && r.first.t <= k.until)));
    const excused = (r: { first: Operation; again: Operation }) =>
      afterKill(r) || (r.again.t - r.first.t <= p.windowMs && marks.some((m) => m >= r.first.t - p.windowMs && m <= r.again.t + p.windowMs));
    const unexcused = repeats.filter((r) => !excused(r));
    if (unexcused.length === 0) {
      return { title, status: 'pass', expected, observed: repeats.length === 0 ? `no ${p.subject} was applied twice` : `${repeats.length} applied again right after a rebalance${kills.length > 0 ? ' or a restart' : ''}, as at-least-once allows`, examples: [] };
    }
    const byOther = unexcused.filter((r) => copyOf(r.again) !== copyOf(r.first));
    // Copies in groups of their own (seen in the lab's samples) read everything; else a group
    // with no commit at the end started every moved partition over; else who repeated it.
    const otherGroups = observationsOf(history, 'kafka-group').some((s) => s.value.otherGroups.length > 0);
    const committed = lastObservation(history, 'kafka-committed-offsets');
    const neverCommitted = committed !== undefined && Object.values(committed.offsets).every((offset) => offset < 0);
    const cause = otherGroups ? 'every-copy-reads-everything' : neverCommitted ? 'never-committed' : byOther.length * 2 >= unexcused.length ? 'every-copy-reads-everything' : 'repeats-own-work';
    const keys = new Set(unexcused.map((r) => r.first.key));
    return {
      title,
      status: 'fail',
      expected,
      observed:
        `${countOf(keys.size, first.size, p.subject)} ${keys.size === 1 ? 'was' : 'were'} applied again with no rebalance to explain it` +
        (cause === 'never-committed'
          ? ', and the group had committed no offset at the end'
          : cause === 'every-copy-reads-everything'
            ? byOther.length > 0 ? `, ${byOther.length === unexcused.length ? 'each time' : 'mostly'} by another copy than the one that had applied ${keys.size === 1 ? 'it' : 'them'}${otherGroups ? ' (copies joined consumer groups of their own)' : ''}` : ' (copies joined consumer groups of their own)'
            : ', by the copy that had already applied them'),
      examples: firstFew(cause === 'every-copy-reads-everything' ? [...byOther, ...unexcused.filter((r) => !byOther.includes(r))] : unexcused, 3).map(
        (r) => `${r.first.key}: applied by copy ${copyOf(r.first)} at ${seconds(r.first.t)}, again by copy ${copyOf(r.again)} at ${seconds(r.again.t)}`,
      ),
      cause,
    };
  },
};
