/**
 * offsets-committed-after-processing
 *
 * Definitions:
 * - record: a `produce` (ok) by the lab, with its partition and offset.
 * - processed: the downstream saw an ok `call` for the record's key.
 * - committed: in the lab's last sample of the group's offsets (`observe` key
 *   "kafka-committed-offsets", value { offsets: {partition: committedOffset}, endOffsets:
 *   {partition: logEndOffset} }), the partition's committed offset is greater than the
 *   record's offset. Kafka's committed offset is the NEXT offset to read.
 * - committed before processing: committed, never processed. After a crash nobody will
 *   read it again: the group believes it is done.
 * - left uncommitted: processed, but the final committed offset does not cover it; a
 *   restart would process it again.
 */
import type { Operation } from '../runner/history.js';
import { type CheckDefinition, type Selector, firstFew, select, selector } from './types.js';

export interface OffsetsParams {
  processed: Selector;
}

interface OffsetsValue {
  offsets: Record<string, number>;
  endOffsets: Record<string, number>;
}

export const offsetsCommittedAfterProcessing: CheckDefinition<OffsetsParams> = {
  name: 'offsets-committed-after-processing',
  parseParams: (raw) => ({ processed: selector(raw, 'processed') }),
  run(history, p) {
    const title = 'Offsets are committed after processing';
    const expected = 'the group commits a record\'s offset only after the record was processed, and commits everything it processed';
    const sample = [...history].reverse().find(
      (op): op is Operation & { value: OffsetsValue } => op.kind === 'observe' && op.key === 'kafka-committed-offsets' && op.value !== undefined,
    );
    if (!sample) return { title, status: 'unknown', expected, observed: 'the lab could not read the group\'s committed offsets', examples: [] };
    const processed = new Set(select(history, p.processed, 'ok').map((op) => op.key));
    const records = history.filter((op) => op.kind === 'produce' && op.outcome === 'ok' && op.partition !== undefined && op.offset !== undefined);
    const committedOf = (partition: number): number => sample.value.offsets[String(partition)] ?? -1;

    const committedUnprocessed = records.filter(
      (r) => Number(r.offset) < committedOf(r.partition ?? 0) && !processed.has(r.key),
    );
    const uncommittedPartitions = Object.entries(sample.value.endOffsets).filter(
      ([partition, end]) => committedOf(Number(partition)) < end,
    );
    if (committedUnprocessed.length > 0) {
      return {
        title,
        status: 'fail',
        expected,
        observed: `${committedUnprocessed.length} record${committedUnprocessed.length === 1 ? ' was' : 's were'} committed but never processed`,
        examples: firstFew(committedUnprocessed).map(
          (r) => `${r.key} (partition ${r.partition}, offset ${r.offset}): the group's offset ${committedOf(r.partition ?? 0)} is past it`,
        ),
      };
    }
    if (uncommittedPartitions.length > 0) {
      return {
        title,
        status: 'fail',
        expected,
        observed: `${uncommittedPartitions.length} partition${uncommittedPartitions.length === 1 ? ' was' : 's were'} not committed up to the end`,
        examples: firstFew(uncommittedPartitions).map(
          ([partition, end]) => `partition ${partition}: committed ${Math.max(0, committedOf(Number(partition)))} of ${end}`,
        ),
      };
    }
    return { title, status: 'pass', expected, observed: `all ${records.length} records processed before their offsets were committed`, examples: [] };
  },
};
