/**
 * What the history records with the messages the lab sends (`produce`) and those it takes
 * back from a broker or a learner's output (`consume`, `dead-letter`), typed, so checks,
 * faults and workloads name the fields they read instead of casting `value` each time
 * (runner/calls.ts does the same for downstream calls).
 *
 * Definitions:
 * - a message's fields: the recorded value when it is a JSON object (the body the lab sent
 *   with what it knows about it; the fields it read from a message it took), else none.
 * - text: a consumed message recorded as it arrived (a notification, a line of output).
 */
import type { Operation } from './history.js';

/** Whether a value is a JSON object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message's recorded fields, by name (none when its value is not an object). */
export function fieldsOf(op: Pick<Operation, 'value'> | undefined): Record<string, unknown> {
  return isRecord(op?.value) ? op.value : {};
}

/** What the lab records with each message it sends (blocks/produce.ts, the Kafka block, the
 *  `duplicate` and `poison` faults): the body's own fields, then these. */
export interface ProduceValue extends Record<string, unknown> {
  /** What the lab knows about the message ("poison", "flaky", "vip", "duplicate"). */
  tags?: string[];
  /** A copy of the message with this key (a fault's or the workload's own resend). */
  copyOf?: string;
  /** Why the broker refused it (outcome "fail"). */
  error?: string;
  /** For Kafka bursts: its place among its partition's messages of the same burst. */
  inBatch?: { position: number; of: number };
}

/** A produced message's recorded value (an empty one when the operation carries none). */
export function produceValue(op: Operation | undefined): ProduceValue {
  return fieldsOf(op) as ProduceValue;
}

/** Tags the lab put on a produced message ("poison", "transient", "vip"); none if it put none. */
export function tagsOf(op: Pick<Operation, 'value'> | undefined): string[] {
  const tags = fieldsOf(op).tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** What the lab records with a message it took back, when it records more than the text. */
export interface ConsumeValue extends Record<string, unknown> {
  /** The fields it read from the message's body (an event's, a ledger line's). */
  fields?: Record<string, unknown>;
  /** For dead letters: why RabbitMQ (x-death) or the program (x-last-error) dead-lettered it. */
  reason?: string | null;
  /** For dead letters: the body as it arrived in the dead-letter queue. */
  body?: Record<string, unknown> | null;
  messageId?: string | null;
  /** For a program's output read line by line (a ledger): which line, the line as written,
   *  and why the lab could not read it (outcome "fail"). */
  index?: number;
  line?: string;
  error?: string;
}

/** A consumed message's recorded value (an empty one when it was recorded as text). */
export function consumeValue(op: Operation | undefined): ConsumeValue {
  return fieldsOf(op) as ConsumeValue;
}

/** A consumed message recorded as text, as it arrived (String() of anything else). */
export function consumeText(op: Operation): string {
  return typeof op.value === 'string' ? op.value : String(op.value);
}
