/**
 * offsets-committed-after-processing
 *
 * Definitions:
 * - record: a `produce` (ok) by the lab, with its partition and offset.
 * - processed: the downstream saw an ok `call` for the record's key.
 * - committed: in the lab's last sample of the group's offsets (`observe` key
 *   "kafka-committed-offsets", value { offsets: {partition: committedOffset}, endOffsets:
 *   {partition: logEndOffset} }), the partition's committed offset is greater than the
 *   record's offset. Kafka's committed offset is the NEXT offset to read (-1: none).
 * - committed before processing: committed, never processed. After a crash nobody will
 *   read it again: the group believes it is done.
 * - left uncommitted: processed, but the final committed offset does not cover it; a
 *   restart would process it again.
 *
 * Causes, from the evidence:
 * - committed-ahead: records committed but never processed; when the lab held a booking and
 *   watched the commit move past it (kill-learner's "committed-past"), how it did tells:
 *   - committed-before-work: at once, within half a second of the booking starting;
 *   - committed-past-running-work: after the same copy had finished later work (bookings
 *     side by side, or in the background, each committing its own offset + 1);
 *   - committed-on-timer: later, with no later work finished (a commit on a timer of what
 *     was received, as librdkafka's default auto-commit does).
 * - wrong-group: nothing committed in GROUP_ID, but the copies joined other groups.
 * - committed-behind: every partition not committed to its end stops exactly one short of
 *   it: the program commits the offset of the record it processed instead of that + 1.
 * - never-committed: records were processed, yet the group holds no committed offset at all.
 * - left-uncommitted: some partitions are committed further behind than that.
 */
import { faultEvents } from '../faults/events.js';
import { lastObservation, observationsOf } from '../runner/observations.js';
import { type CheckDefinition, type Selector, firstFew, select, selector } from './types.js';

export interface OffsetsParams {
  processed: Selector;
}

export type OffsetsCause = 'committed-ahead' | 'committed-before-work' | 'committed-past-running-work' | 'committed-on-timer' | 'committed-behind' | 'never-committed' | 'wrong-group' | 'left-uncommitted';

export const OFFSETS_CAUSES: Record<OffsetsCause, string> = {
  'committed-ahead':
    'The group committed offsets past records that were never processed, so after a crash nobody reads them again. Commit a record\'s offset only after its work succeeded, and never past a record still being worked on (an offset commit covers every record before it; a commit on a timer covers what was received, not what was done).',
  'committed-before-work': 'The group committed a record\'s offset before its work was done, so the record died with the copy that held it. Commit after the work succeeded, never before.',
  'committed-past-running-work':
    'A commit for later work moved the group\'s offset past a record still being worked on: work done side by side (or in the background, not awaited) finishes out of order, and an offset commit covers every record before it. Commit a record\'s offset only once it and every earlier record of its partition are done.',
  'committed-on-timer':
    'A commit on a timer moved the group\'s offset past a record still being worked on: it commits what was received, not what was done (librdkafka\'s default enable.auto.commit does exactly that). Commit after the work, or store offsets only after the work (enable.auto.offset.store=false and store_offsets(message) after it).',
  'wrong-group': 'Nothing was committed in the group GROUP_ID: your copies used other group ids. Every copy must use GROUP_ID exactly.',
  'committed-behind':
    'Every partition stops one record short: a committed offset is the NEXT offset to read, so after processing the record at offset N commit N + 1 (kafkajs: String(Number(message.offset) + 1); confluent-kafka: consumer.commit(message) does it for you).',
  'never-committed':
    'Nothing was ever committed, so a restarted or new member starts over from the beginning. Positions kept in your program\'s memory die with it: commit to Kafka after each record is processed (or let the client auto-commit what your handler finished).',
  'left-uncommitted': 'Some records were processed but their offsets never committed, so a restart processes them again. Commit after every record (or batch) you finish, including the last ones.',
};

export const offsetsCommittedAfterProcessing: CheckDefinition<OffsetsParams> = {
  name: 'offsets-committed-after-processing',
  causes: OFFSETS_CAUSES,
  parseParams: (raw) => ({ processed: selector(raw, 'processed') }),
  run(history, p) {
    const title = 'Offsets are committed after processing';
    const expected = 'the group commits a record\'s offset only after the record was processed, and commits everything it processed';
    const last = lastObservation(history, 'kafka-committed-offsets');
    const sample = last && { value: last };
    if (!sample) return { title, status: 'unknown', expected, observed: 'the lab could not read the group\'s committed offsets', examples: [] };
    const processed = new Set(select(history, p.processed, 'ok').map((op) => op.key));
    const records = history.filter((op) => op.kind === 'produce' && op.outcome === 'ok' && op.partition !== undefined && op.offset !== undefined);
    const committedOf = (partition: number): number => sample.value.offsets[String(partition)] ?? -1;

    const committedUnprocessed = records.filter((r) => Number(r.offset) < committedOf(r.partition ?? 0) && !processed.has(r.key));
    if (committedUnprocessed.length > 0) {
      // The lab may have watched the commit pass a booking it held (kill-learner's evidence).
      const strike = faultEvents(history).find((op) => op.value.reason === 'committed-past' && op.value.committedPast);
      const watched = strike?.value.committedPast;
      // Later work done: a record of the held one's partition with a higher offset was
      // processed (after it was written: an earlier call for the same key, e.g. a copy of an
      // order shipped from another broker, is not that record's work) before the lab saw the
      // commit pass the held one.
      const held = strike?.key === undefined ? undefined : records.find((r) => r.key === strike.key);
      const laterDone =
        held !== undefined &&
        strike !== undefined &&
        records.some((r) => r.partition === held.partition && Number(r.offset) > Number(held.offset) && select(history, p.processed, 'ok').some((c) => c.key === r.key && c.t >= r.t && c.t <= strike.t));
      const [cause, how]: [OffsetsCause, string] = !watched
        ? ['committed-ahead', 'before the work was done']
        : laterDone || watched.laterDone
          ? ['committed-past-running-work', `while it was still being worked on, by a commit for later work (the lab held one booking and saw the commit pass it after ${(watched.heldMs / 1000).toFixed(1)}s)`]
          : watched.heldMs < 500
            ? ['committed-before-work', `before the work was done (the lab held one booking and saw it committed ${watched.heldMs} ms after the booking started)`]
            : ['committed-on-timer', `while it was still being worked on, with no later work done: a commit on a timer (the lab held one booking and saw it committed after ${(watched.heldMs / 1000).toFixed(1)}s)`];
      return {
        title,
        status: 'fail',
        expected,
        observed: `${committedUnprocessed.length} record${committedUnprocessed.length === 1 ? ' was' : 's were'} committed but never processed: the group's offset moved past ${committedUnprocessed.length === 1 ? 'it' : 'them'} ${how}`,
        examples: firstFew(committedUnprocessed).map((r) => `${r.key} (partition ${r.partition}, offset ${r.offset}): never processed, yet the group's committed offset ${committedOf(r.partition ?? 0)} is past it`),
        cause,
      };
    }
    const partitions = Object.entries(sample.value.endOffsets).map(([partition, end]) => ({ partition: Number(partition), end, committed: committedOf(Number(partition)) }));
    const short = partitions.filter((x) => x.committed < x.end);
    if (short.length === 0) {
      return { title, status: 'pass', expected, observed: `all ${records.length} records processed before their offsets were committed`, examples: [] };
    }
    const describe = (x: (typeof partitions)[number]) =>
      x.committed < 0 ? `partition ${x.partition}: nothing committed, ${x.end} record${x.end === 1 ? "" : "s"} in it` : `partition ${x.partition}: committed offset ${x.committed}, but the next record to read is ${x.end}`;
    const examples = firstFew(short).map(describe);
    const anyProcessed = records.some((r) => processed.has(r.key));
    const otherGroups = [...new Set(observationsOf(history, 'kafka-group').flatMap((op) => op.value.otherGroups))];
    if (anyProcessed && partitions.every((x) => x.committed < 0) && otherGroups.length > 0) {
      return { title, status: 'fail', expected, observed: `nothing was committed in the group GROUP_ID; your copies joined other groups: ${otherGroups.join(', ')}`, examples: [], cause: 'wrong-group' };
    }
    if (anyProcessed && partitions.every((x) => x.committed < 0)) {
      return { title, status: 'fail', expected, observed: `records were processed, but the group never committed an offset in any of the ${partitions.length} partitions`, examples, cause: 'never-committed' };
    }
    if (short.every((x) => x.committed === x.end - 1 && x.end > 0)) {
      return {
        title,
        status: 'fail',
        expected,
        observed: `${short.length} partition${short.length === 1 ? ' stops' : 's stop'} exactly one record short of the end: the offsets committed are those of the last records processed, not the next ones to read`,
        examples,
        cause: 'committed-behind',
      };
    }
    return { title, status: 'fail', expected, observed: `${short.length} partition${short.length === 1 ? ' was' : 's were'} not committed up to the end`, examples, cause: 'left-uncommitted' };
  },
};
