/**
 * applied-once
 *
 * Messages come more than once: RabbitMQ redelivers what a dead consumer held, a producer
 * retries a send whose confirm it never got. An idempotent consumer recognises a copy by the
 * message's idempotency key and does its side effect once. The lab sees each side effect (a
 * ledger line) and traces it to the quote call that preceded it: which copy, and when.
 *
 * Definitions:
 * - posting: an operation matching `applied` with outcome "ok" and the message's key (a
 *   ledger line), whose `value.quoteId` names the call it used (`quotes`).
 * - its quote: the call op of that key whose attempt is the quote id's number (quote ids are
 *   "Q-<key>-<attempt>"); its span runs from `value.arrivedAt` to its answer (`t`), and
 *   `value.instance` is the copy that called.
 * - posted twice: a key with more than one posting.
 * - at once: two postings whose quotes' spans overlap (both copies held the message at the
 *   same moment, and neither had marked it yet).
 * - copies the lab sent: `produce` operations with `copyOf`; tagged "same-message-id" (as a
 *   broker redelivers) or "new-message-id" (as a producer retries).
 * - marks: the lab's scans of the program's key store (observation "processed-marks"),
 *   with the shortest time to live seen on one.
 *
 * Causes, the first that applies:
 * - marks-expire-too-soon: once the program stopped, a posted message's mark (its
 *   longest-lived key) had less than `keepMs` left (with 10% slack for the run's own time): a
 *   copy that comes later than that is taken for new;
 * - marks-outside-prefix: keys named with the run's message ids were found outside
 *   KEY_PREFIX (the lab deleted them): left behind by every run, in everybody's keyspace;
 * - deduped-by-message-id: payments copied with the same message id were each posted once,
 *   while one copied with a new message id was posted again, not at once: the program
 *   recognises the transport's message id, not the payment's idempotency key;
 * - split by a kill: a payment posted twice, not at once, whose first posting's copy was
 *   killed within 300 ms after that posting's quote was answered, during a call it had made
 *   before that answer (so it was still posting and marking): the kill may have come between
 *   the posting and the mark (two steps, not one).
 * - mark-not-obeyed: a payment posted twice, not at once, not split by a kill, though the
 *   lab's scans found it marked before the second quote was asked for: the program sets its
 *   mark but posts whatever it says
 *   (an ignored SET NX answer, a MULTI that runs the RPUSH anyway, a check made for some
 *   messages only), or the mark had expired;
 * - not-remembered: a payment posted twice, not at once, not split by a kill, and not found
 *   marked before the second quote: the copy that
 *   posted it again did not know it was posted (a mark kept in one copy's memory, lost with a
 *   restart, or none);
 * - raced: a payment posted twice at once (and none of the above): the program checks its
 *   mark before the slow call and sets it after, so two copies both find it unset;
 * - not-atomic: every payment posted twice was split by a kill: posting and marking are two
 *   steps, and a copy killed between them leaves a posted payment unmarked.
 */
import type { History, Operation } from '../runner/history.js';
import { lastObservation } from '../runner/observations.js';
import { faultEvents } from '../faults/events.js';
import { kills } from './attempts.js';
import { type CheckDefinition, type Selector, countOf, firstFew, num, select, selector, seconds, str, tagsOf } from './types.js';
import { callValue } from '../runner/calls.js';
import { consumeValue, produceValue } from '../runner/messages.js';

export interface AppliedOnceParams {
  /** What one message is to the learner: "payment". */
  subject: string;
  sent: Selector;
  /** The side effects, one per operation (ledger lines). */
  applied: Selector;
  /** The calls that preceded each effect (quotes), named by the effect's quoteId. */
  quotes: Selector;
  /** How long a mark must be kept, in ms (the README's promise about late copies). */
  keepMs: number;
}

export type AppliedOnceCause = 'marks-expire-too-soon' | 'marks-outside-prefix' | 'deduped-by-message-id' | 'mark-not-obeyed' | 'not-remembered' | 'raced' | 'not-atomic';

export const APPLIED_ONCE_CAUSES: Record<AppliedOnceCause, string> = {
  'marks-expire-too-soon':
    'Your marks expire sooner than the README asks: a copy that comes after the mark is gone is taken for a new message and processed again. Keep each mark at least as long as the README says copies can come (or without expiry).',
  'marks-outside-prefix':
    'Your program keeps its marks outside KEY_PREFIX: nothing removes them after a run, and they share a keyspace with everything else on that Redis. Start every key your program creates with KEY_PREFIX.',
  'mark-not-obeyed':
    'Your program marks messages in Redis, yet processed a marked one again: it sets the mark but does the work whatever the mark says (an ignored SET NX answer, a MULTI that runs every command anyway, a check made for some messages only), or the mark had already expired. Do the work only when setting the mark succeeded, in the same atomic step.',
  'deduped-by-message-id':
    'Your program recognises copies by the message id of the transport, not by the idempotency key in the body: a producer that retries sends the same payment under a new message id, and it was processed again. Mark and check the key the README names.',
  'not-remembered':
    'A message was processed again by a copy that did not know it was done: what marks it as done must outlive a restart and be shared by every copy. Keep the mark in Redis (SET key NX), not in the program\'s memory, and check it for every message.',
  'not-atomic':
    'A copy was killed after it processed a message and before it marked it as done: the work and the mark are two steps, and the message came again unmarked. Do the work and set the mark in one atomic step (a Lua script, or a transaction).',
  raced:
    'Two copies processed the same message at the same time, and both did the work: each checked the mark before the slow call and set it after, so both found it unset. Make "check and mark" one atomic step (SET key NX, or a Lua script doing the mark and the effect together), so only one copy can win.',
};

/** The attempt a quote id names ("Q-pay-0001-ab12cd-3" → 3), or undefined. */
export function quoteAttempt(quoteId: unknown, key: string): number | undefined {
  if (typeof quoteId !== 'string') return undefined;
  const match = /^Q-(.+)-(\d+)$/.exec(quoteId);
  return match && match[1] === key ? Number(match[2]) : undefined;
}

interface Posting {
  op: Operation;
  quote?: { instance: number; from: number; to: number; attempt: number };
}

function postingsOf(history: History, p: AppliedOnceParams): Map<string, Posting[]> {
  const calls = select(history, p.quotes);
  const byKey = new Map<string, Posting[]>();
  for (const op of select(history, p.applied, 'ok')) {
    const key = op.key ?? '';
    const attempt = quoteAttempt(consumeValue(op).quoteId, key);
    const call = attempt === undefined ? undefined : calls.find((c) => c.key === key && c.attempt === attempt);
    const v = callValue(call);
    const posting: Posting = call && attempt !== undefined ? { op, quote: { instance: v?.instance ?? 1, from: v?.arrivedAt ?? call.t, to: call.t, attempt } } : { op };
    byKey.set(key, [...(byKey.get(key) ?? []), posting]);
  }
  return byKey;
}

/** Two postings' quotes overlapped in time (pure). */
function atOnce(a: Posting, b: Posting): boolean {
  return a.quote !== undefined && b.quote !== undefined && a.quote.from <= b.quote.to && b.quote.from <= a.quote.to;
}

export const appliedOnce: CheckDefinition<AppliedOnceParams> = {
  name: 'applied-once',
  causes: APPLIED_ONCE_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), sent: selector(raw, 'sent'), applied: selector(raw, 'applied'), quotes: selector(raw, 'quotes'), keepMs: num(raw, 'keepMs') }),
  run(history, p) {
    const produced = select(history, p.sent, 'ok');
    const originals = produced.filter((op) => produceValue(op).copyOf === undefined);
    const copies = produced.filter((op) => produceValue(op).copyOf !== undefined);
    const sameId = new Set(copies.filter((op) => tagsOf(op).includes('same-message-id')).map((op) => op.key ?? ''));
    const newId = new Set(copies.filter((op) => tagsOf(op).includes('new-message-id')).map((op) => op.key ?? ''));
    const title = `Each ${p.subject} is processed once, however many times it comes`;
    const expected = `each of the ${originals.length} ${p.subject}s processed exactly once, though the lab sent ${copies.length} cop${copies.length === 1 ? 'y' : 'ies'} of them`;
    const marks = lastObservation(history, 'processed-marks');
    const keep = p.keepMs >= 120_000 ? `${Math.round(p.keepMs / 60_000)} minutes` : `${Math.round(p.keepMs / 1000)}s`;

    if (marks?.shortestTtlMs !== undefined && marks.shortestTtlMs < p.keepMs * 0.9) {
      return {
        title,
        status: 'fail',
        expected: `${expected}, with each mark kept at least ${keep}`,
        observed: `a mark had only ${seconds(marks.shortestTtlMs)} left to live`,
        examples: [`${marks.shortestTtlKey ?? 'a key'} (under KEY_PREFIX): ${seconds(marks.shortestTtlMs)} to live when the lab looked; copies may come up to ${keep} after the original`],
        cause: 'marks-expire-too-soon',
      };
    }

    if (marks?.outsidePrefix && marks.outsidePrefix.length > 0) {
      return {
        title,
        status: 'fail',
        expected: `${expected}, with every mark under KEY_PREFIX`,
        observed: `${marks.outsideCount ?? marks.outsidePrefix.length} keys named with this run's ${p.subject} ids were outside KEY_PREFIX (the lab deleted them)`,
        examples: marks.outsidePrefix.map((key) => `${key}: not under KEY_PREFIX`),
        cause: 'marks-outside-prefix',
      };
    }

    const postings = postingsOf(history, p);
    const twice = [...postings].filter(([, list]) => list.length > 1);
    if (twice.length === 0) {
      const posted = [...postings.keys()].length;
      return { title, status: 'pass', expected, observed: `${posted} ${p.subject}s processed, none twice (${sameId.size} copied with the same message id, ${newId.size} with a new one)`, examples: [] };
    }

    const allKills = kills(history);
    /** Each kill, with when the call it struck during had arrived. */
    const victims = faultEvents(history)
      .filter((op) => op.value.phase === 'start' && op.value.signal === 'SIGKILL')
      .map((op) => {
        const call = select(history, p.quotes).find((c) => c.key === op.key && c.outcome === 'info' && callValue(c).instance === op.value.instance);
        return { t: op.t, instance: op.value.instance, callFrom: callValue(call).arrivedAt ?? op.t };
      });
    const SPLIT_MS = 300;
    const story = (key: string, list: Posting[]): { notAtOnce: boolean; split: boolean; nearKill: boolean; againFrom: number; text: string } => {
      const [first, ...rest] = list as [Posting, ...Posting[]];
      const again = rest.find((r) => !atOnce(first, r)) ?? (rest[0] as Posting);
      const notAtOnce = rest.some((r) => !atOnce(first, r));
      // Killed right after this quote was answered, during a call the copy had made before
      // that answer: the copy was still busy with this payment's posting and marking (a copy
      // that handles one payment at a time had finished it before its next call).
      const killedAfterPosting = first.quote && victims.find((k) => k.instance === first.quote?.instance && k.callFrom < (first.quote?.to ?? 0) && k.t >= (first.quote?.to ?? 0) && k.t <= (first.quote?.to ?? 0) + SPLIT_MS);
      const who = (x: Posting) => (x.quote ? `copy ${x.quote.instance} (quote asked at ${seconds(x.quote.from)})` : 'a copy (its quote id names no quote of the lab\'s)');
      const restarted = again.quote && allKills.find((k) => k.instance === again.quote?.instance && k.t >= first.op.t && k.t <= (again.quote?.from ?? 0));
      const via = newId.has(key) && sameId.has(key) ? 'copied both ways' : newId.has(key) ? 'copied with a new message id' : sameId.has(key) ? 'copied with the same message id' : 'redelivered';
      const when = notAtOnce
        ? `${restarted ? `, after that copy was restarted at ${seconds(restarted.healedAt ?? restarted.t)}` : again.quote && first.quote && again.quote.instance !== first.quote.instance ? ', another copy' : ''}`
        : ', at the same time';
      // Killed right after this quote was answered, whatever call it was in: a copy that works
      // on several payments at once may still have been posting and marking this one. Only
      // used to tell a race from a lost memory when both show (see below).
      const killedRightAfter = first.quote && victims.some((k) => k.instance === first.quote?.instance && k.t >= (first.quote?.to ?? 0) && k.t <= (first.quote?.to ?? 0) + SPLIT_MS);
      const split = notAtOnce && killedAfterPosting !== undefined;
      const splitText = split && killedAfterPosting ? ` (copy ${killedAfterPosting.instance} was killed at ${seconds(killedAfterPosting.t)}, right after its first posting)` : '';
      return { notAtOnce, split, nearKill: notAtOnce && killedRightAfter === true, againFrom: again.quote?.from ?? again.op.t, text: `${key} (${via}): processed ${list.length} times: at ${seconds(first.op.t)} by ${who(first)}, and at ${seconds(again.op.t)} by ${who(again)}${when}${splitText}` };
    };
    const stories = twice.map(([key, list]) => ({ key, ...story(key, list) }));
    const sequential = stories.filter((s) => s.notAtOnce && !s.split);
    const split = stories.filter((s) => s.split);
    const overlapping = stories.filter((s) => !s.notAtOnce);
    const observed = `${countOf(twice.length, originals.length, p.subject)} processed more than once`;

    // Same-message-id copies recognised, new-message-id ones processed again (not at once).
    const onlySameId = [...sameId].filter((key) => !newId.has(key));
    const sameIdOnce = onlySameId.length > 0 && onlySameId.every((key) => (postings.get(key)?.length ?? 0) <= 1);
    const newIdAgain = sequential.filter((s) => newId.has(s.key));
    if (sameIdOnce && newIdAgain.length > 0) {
      return {
        title,
        status: 'fail',
        expected,
        observed: `${observed}: the ${onlySameId.length} copied with the same message id were processed once, but ${newIdAgain.length} copied with a new message id were processed again`,
        examples: firstFew(newIdAgain).map((s) => s.text),
        cause: 'deduped-by-message-id',
      };
    }
    const markedAt = marks?.markedAt ?? {};
    const markedAgain = sequential.filter((s) => (markedAt[s.key] ?? Number.POSITIVE_INFINITY) < s.againFrom);
    if (markedAgain.length > 0) {
      return { title, status: 'fail', expected, observed: `${observed}, ${sequential.length} of them one after the other, ${markedAgain.length} of those marked in your key store`, examples: firstFew(markedAgain).map((s) => `${s.text}; it was marked in your key store`), cause: 'mark-not-obeyed' };
    }
    // A program that keeps its marks in the key store but races also posts twice, one after
    // the other, what a copy killed between a posting and its mark (it works on several at
    // once) left unmarked: when it marks, postings at once show, and every one-after-the-other
    // pair follows such a kill, the race is the mistake. (A program that keeps its marks in
    // memory shows the same pairs after its kills: there they are its mistake.)
    const remembered = Object.keys(markedAt).length > 0 && overlapping.length > 0 && sequential.every((s) => s.nearKill);
    if (sequential.length > 0 && !remembered) {
      return { title, status: 'fail', expected, observed: `${observed}, ${sequential.length} of them one after the other, none found marked in your key store`, examples: firstFew(sequential).map((s) => s.text), cause: 'not-remembered' };
    }
    if (overlapping.length > 0) {
      return { title, status: 'fail', expected, observed: `${observed}, ${overlapping.length} by two copies at the same time`, examples: firstFew([...overlapping, ...split]).map((s) => s.text), cause: 'raced' };
    }
    return { title, status: 'fail', expected, observed: `${observed}, each right after a kill of the copy that posted it first`, examples: firstFew(split).map((s) => s.text), cause: 'not-atomic' };
  },
};
