/**
 * Checks of a Redis Streams consumer group (workloads/redis-streams-consumer-group.ts).
 *
 * Definitions:
 * - snapshot: the last "stream-group" observation, taken once the program stopped: the
 *   group GROUP_NAME (whether it exists, how many entries it delivered), the other groups on
 *   the stream, its consumers, and its pending entries list (PEL): entries delivered to a
 *   consumer and not acknowledged (XACK), each with its owner, idle time and delivery count.
 * - recording: an operation matching `delivered` with outcome "ok" (the activity store
 *   recorded the activity).
 * - dead consumer: the consumer name of a copy the lab killed (and did not restart).
 *
 * group-pending-empty: at the end, the group has delivered entries, its PEL is empty, and its
 * consumers are the ones the README names. Causes, most specific first:
 * - group-not-used: GROUP_NAME delivered nothing: the copies read the stream some other way
 *   (groups of their own, XREAD).
 * - never-acked: most pending entries were recorded: the work was done, the XACK never sent.
 * - stranded-with-dead-consumer: the pending entries belong to a dead consumer and were never
 *   recorded: no survivor reclaimed them.
 * - left-pending: entries pending for another reason (claimed and then forgotten).
 * - consumer-names: the PEL is empty, but the group's consumers are not named
 *   CONSUMER_PREFIX + INSTANCE_ID (one name shared by every copy, a name of the program's own).
 *
 * claimed-only-when-idle: each activity is recorded once, except one a killed copy recorded
 * before it died (it may have died before its XACK): a survivor then records it again.
 * - repeat: an activity with more than one recording, not excused as above.
 * Causes:
 * - group-per-copy: the snapshot shows other groups on the stream: each copy read every entry
 *   through a group of its own.
 * - not-acked: the snapshot's PEL holds recorded entries: entries done and never acked went
 *   idle, and survivors reclaimed and recorded them again.
 * - claimed-too-early: otherwise: an entry a live consumer still held was handed out again
 *   and recorded twice, by another copy or by the same one (a reclaim with a min-idle far
 *   below MIN_IDLE_MS, or 0, claims the reclaiming copy's own unfinished entries too; so does
 *   re-reading its history with an ID other than >).
 */
import { lastObservation } from '../runner/observations.js';
import { callValue } from '../runner/calls.js';
import { faultEvents } from '../faults/events.js';
import type { Operation } from '../runner/history.js';
import { type CheckDefinition, type Selector, countOf, firstFew, select, selector, str } from './types.js';

export const PENDING_CAUSES = {
  'group-not-used':
    'The group GROUP_NAME delivered nothing: your copies read the stream some other way (a group of their own, or XREAD). All copies must read through the one group GROUP_NAME: XREADGROUP GROUP <GROUP_NAME> <consumer> ... STREAMS <stream> >.',
  'never-acked':
    'Entries your program had processed were still pending at the end: it never acknowledged them, so the pending entries list only grows. XACK <stream> <group> <id> once the work for an entry succeeded.',
  'stranded-with-dead-consumer':
    'The killed consumer\'s entries were still pending at the end, never processed: no survivor reclaimed them. Every copy must, every few hundred milliseconds, XAUTOCLAIM <stream> <group> <its own name> <min-idle> <cursor> and process what it got, following the cursor until it is 0-0.',
  'left-pending': 'Entries were still pending at the end: some entry was delivered (or claimed) and then neither processed nor acknowledged. Process every entry you read or claim, then XACK it.',
  'consumer-names':
    'The group\'s consumers were not the ones the README names: each copy must read as its own consumer, CONSUMER_PREFIX + INSTANCE_ID. One name shared by every copy hides which copy holds what (a reclaim cannot tell a dead copy from a live one).',
} as const;

export const CLAIM_CAUSES = {
  'group-per-copy':
    'Every copy read every entry through a group of its own, so each activity was processed by several copies. The copies share one group, GROUP_NAME, and each reads as its own consumer in it: a group hands each entry to one of its consumers.',
  'not-acked':
    'Entries that had been processed were never acknowledged, went idle, and were reclaimed and processed again. XACK each entry once its work succeeded: a reclaim is for entries whose consumer died, not for entries that are done.',
  'claimed-too-early':
    'Entries a live consumer was still working on were handed out again and processed twice (by another copy, or by the same one). Reclaim only entries idle for at least MIN_IDLE_MS (XAUTOCLAIM\'s min-idle-time, in milliseconds): a live consumer acks its entries long before that. And read new entries with >, not your own history again.',
} as const;

export interface GroupPendingParams {
  subject: string;
  delivered: Selector;
}

export interface ClaimParams {
  subject: string;
  delivered: Selector;
}

function recordedKeys(history: readonly Operation[], delivered: Selector): Set<string> {
  return new Set(select(history, delivered, 'ok').flatMap((op) => (op.key === undefined ? [] : [op.key])));
}

export const groupPendingEmpty: CheckDefinition<GroupPendingParams> = {
  name: 'group-pending-empty',
  causes: PENDING_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), delivered: selector(raw, 'delivered') }),
  run(history, p) {
    const title = 'The consumer group ends with nothing pending';
    const expected = `at the end, the group GROUP_NAME has delivered the ${p.subject}s to the copies' consumers and its pending entries list is empty (every entry acknowledged, the dead consumer's reclaimed)`;
    const snap = lastObservation(history, 'stream-group');
    if (!snap) return { title, status: 'unknown', expected, observed: 'the lab could not read the group at the end of the run', examples: [] };
    if (!snap.exists || snap.entriesRead === 0) {
      return {
        title,
        status: 'fail',
        cause: 'group-not-used',
        expected,
        observed: snap.exists ? `the group ${snap.group} delivered no entry at all` : `the group ${snap.group} no longer existed at the end`,
        examples: snap.otherGroups.length > 0 ? [`groups on the stream besides ${snap.group}: ${firstFew(snap.otherGroups).join(', ')}`] : [],
      };
    }
    if (snap.pendingCount > 0) {
      const recorded = recordedKeys(history, p.delivered);
      const dead = new Set(snap.deadConsumers);
      const done = snap.pending.filter((e) => e.key !== undefined && recorded.has(e.key));
      const stranded = snap.pending.filter((e) => dead.has(e.consumer) && !(e.key !== undefined && recorded.has(e.key)));
      const cause = done.length > stranded.length ? 'never-acked' : stranded.length > 0 ? 'stranded-with-dead-consumer' : 'left-pending';
      const shown = cause === 'never-acked' ? done : cause === 'stranded-with-dead-consumer' ? stranded : snap.pending;
      return {
        title,
        status: 'fail',
        cause,
        expected,
        observed: `${snap.pendingCount} entr${snap.pendingCount === 1 ? 'y was' : 'ies were'} still pending in ${snap.group} at the end${cause === 'never-acked' ? `; of the first ${snap.pending.length}, ${done.length} had been recorded` : ''}${cause === 'stranded-with-dead-consumer' ? `, held by the killed consumer ${[...dead].join(', ')}` : ''}`,
        examples: firstFew(shown).map((e) => `entry ${e.id}${e.key ? ` (${e.key})` : ''}: pending with ${e.consumer}, idle ${(e.idleMs / 1000).toFixed(1)} s, delivered ${e.deliveries} time${e.deliveries === 1 ? '' : 's'}${e.key && recorded.has(e.key) ? ', already recorded' : ', never recorded'}`),
      };
    }
    const expectedNames = new Set(snap.expectedConsumers);
    const strangers = snap.consumers.filter((c) => !expectedNames.has(c.name));
    if (strangers.length > 0) {
      return {
        title,
        status: 'fail',
        cause: 'consumer-names',
        expected,
        observed: `the group's consumers were ${snap.consumers.map((c) => c.name).join(', ')}; the copies' names are ${snap.expectedConsumers.join(', ')}`,
        examples: firstFew(strangers).map((c) => `consumer "${c.name}" is no copy's CONSUMER_PREFIX + INSTANCE_ID`),
      };
    }
    return { title, status: 'pass', expected, observed: `the group delivered ${snap.entriesRead} entries to ${snap.consumers.map((c) => c.name).join(', ')}; nothing pending at the end`, examples: [] };
  },
};

export const claimedOnlyWhenIdle: CheckDefinition<ClaimParams> = {
  name: 'claimed-only-when-idle',
  causes: CLAIM_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), delivered: selector(raw, 'delivered') }),
  run(history, p) {
    const title = `Each ${p.subject} is processed once, unless its consumer died`;
    const expected = `each ${p.subject} is recorded once; only one a killed copy recorded before it died (before its XACK) may be recorded again by the survivor that reclaimed it`;
    const killAt = new Map<number, number>();
    for (const op of faultEvents(history)) {
      if (op.value.phase === 'start' && op.value.instance !== undefined && !killAt.has(op.value.instance)) killAt.set(op.value.instance, op.t);
    }
    const byKey = new Map<string, Operation[]>();
    for (const op of select(history, p.delivered, 'ok')) {
      if (op.key === undefined) continue;
      byKey.set(op.key, [...(byKey.get(op.key) ?? []), op]);
    }
    const repeats: Array<{ key: string; calls: Operation[] }> = [];
    for (const [key, calls] of byKey) {
      if (calls.length < 2) continue;
      const [first] = calls;
      const by = callValue(first).instance;
      const killedAt = by === undefined ? undefined : killAt.get(by);
      const excused = calls.length === 2 && first !== undefined && killedAt !== undefined && first.t <= killedAt;
      if (!excused) repeats.push({ key, calls });
    }
    if (repeats.length === 0) {
      const excusedCount = [...byKey.values()].filter((c) => c.length > 1).length;
      return { title, status: 'pass', expected, observed: `${byKey.size} ${p.subject}${byKey.size === 1 ? '' : 's'} recorded, none twice${excusedCount > 0 ? ` (except ${excusedCount} the killed copy recorded before it died)` : ''}`, examples: [] };
    }
    const snap = lastObservation(history, 'stream-group');
    const recorded = recordedKeys(history, p.delivered);
    const cause =
      snap && snap.otherGroups.length > 0
        ? 'group-per-copy'
        : snap && snap.pending.some((e) => e.key !== undefined && recorded.has(e.key))
          ? 'not-acked'
          : 'claimed-too-early';
    return {
      title,
      status: 'fail',
      cause,
      expected,
      observed: `${countOf(repeats.length, byKey.size, p.subject)} recorded more than once${cause === 'group-per-copy' && snap ? `; groups on the stream besides GROUP_NAME: ${firstFew(snap.otherGroups).join(', ')}` : ''}`,
      examples: firstFew(repeats).map((r) => `${r.key} recorded ${r.calls.length} times: ${r.calls.map((op) => `by copy ${callValue(op).instance ?? '?'} at ${(op.t / 1000).toFixed(2)} s`).join(', ')}`),
    };
  },
};
