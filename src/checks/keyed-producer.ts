/**
 * Checks of a keyed producer (weeks 4-5): the lab POSTs batches of account events to the
 * learner's program, which publishes each to a topic keyed by its account; the lab reads the
 * topic back directly (workloads/kafka-keyed-producer.ts records the history).
 *
 * Definitions:
 * - event: a `produce` of stream "events" (key: its eventId; value: accountId, batch,
 *   position in the batch, sentAt). Send order: the order of these operations.
 * - answer: an `observe` of stream "answers" (value: batch, eventIds, answeredAt, status).
 *   Acknowledged: an event of a batch answered 2xx (outcome ok).
 * - record: a `consume` of stream "events": one record read back from the topic whose value is
 *   a JSON object with a string eventId (key: that eventId; partition, offset; value: kafkaKey,
 *   appendedAt = when Kafka wrote it, event = the value parsed).
 * - unreadable record: a `consume` of stream "unreadable": a record whose value is not JSON, or
 *   has no eventId (value: kafkaKey, raw = the first 200 characters, json = whether it parsed).
 *   The lab cannot tell which event it is: the checks of events skip it (and say they could
 *   not judge when every record is one); value-is-the-event fails on it.
 * - a record changes its event: a field the lab sent (eventId, accountId, type, amountCents,
 *   accountSeq) is missing from its value or has another value. Extra fields are allowed.
 * - written: an event with at least one record; its first record is the one with the lowest
 *   append time (its first copy).
 * - written after its answer: the first record was appended more than `slackMs` after the
 *   lab got the 200 (the program said "done" before Kafka had it).
 * - an account's partitions: the partitions of the records of its events.
 * - out of order: two events of one account, both in one partition, whose first records'
 *   offsets are in the opposite order of the order the lab sent them.
 */
import type { History, Operation } from '../runner/history.js';
import { type CheckDefinition, countOf, firstFew, num } from './types.js';

interface SentEvent {
  eventId: string;
  accountId: string;
  batch: number;
  position: number;
  /** Index in send order over the whole run. */
  index: number;
}

interface WrittenRecord {
  eventId: string | undefined;
  partition: number;
  offset: number;
  kafkaKey: string | null;
  accountId: string | null;
  appendedAt: number;
}

function field<T>(op: Operation, name: string, guard: (v: unknown) => v is T): T | undefined {
  const value = typeof op.value === 'object' && op.value !== null ? (op.value as Record<string, unknown>)[name] : undefined;
  return guard(value) ? value : undefined;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const unreadableRecords = (history: History) => history.filter((op) => op.kind === 'consume' && op.stream === 'unreadable');

/** What a check of events says when no record could be read as an event. */
function unreadableOnly(history: History): string | undefined {
  const unreadable = unreadableRecords(history).length;
  return unreadable > 0 ? `none of the ${unreadable} records on the topic has the event's JSON as its value, so the lab cannot tell which events they are (see "Every record's value is the event as JSON")` : undefined;
}

function sentEvents(history: History): SentEvent[] {
  const events: SentEvent[] = [];
  for (const op of history) {
    if (op.kind !== 'produce' || op.stream !== 'events' || op.key === undefined) continue;
    events.push({ eventId: op.key, accountId: field(op, 'accountId', isString) ?? '?', batch: field(op, 'batch', isNumber) ?? 0, position: field(op, 'position', isNumber) ?? 0, index: events.length });
  }
  return events;
}

function writtenRecords(history: History): WrittenRecord[] {
  return history
    .filter((op) => op.kind === 'consume' && op.stream === 'events')
    .map((op) => ({
      eventId: op.key,
      partition: op.partition ?? -1,
      offset: Number(op.offset ?? -1),
      kafkaKey: field(op, 'kafkaKey', isString) ?? null,
      accountId: field(op, 'accountId', isString) ?? null,
      appendedAt: field(op, 'appendedAt', isNumber) ?? 0,
    }));
}

/** Each event's first record (its lowest append time, then lowest offset). */
function firstRecords(records: readonly WrittenRecord[]): Map<string, WrittenRecord> {
  const first = new Map<string, WrittenRecord>();
  for (const r of records) {
    if (r.eventId === undefined) continue;
    const seen = first.get(r.eventId);
    if (!seen || r.appendedAt < seen.appendedAt || (r.appendedAt === seen.appendedAt && r.offset < seen.offset)) first.set(r.eventId, r);
  }
  return first;
}

const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

// --- acknowledged-events-written ---------------------------------------------------------

export const ACKNOWLEDGED_CAUSES = {
  'never-written':
    'Your program answered 200 for events Kafka never got: it acknowledged a batch before Kafka acknowledged every event of it (acks=0, a send not awaited, or a send error caught and ignored). Answer 200 only after the send resolved with acks=all, and answer 500 when it failed.',
  'written-after-ack':
    'Your program answered 200 before Kafka had the events: they were written later (after the lab had moved on), or could have been lost had the program died then. Await the send (every event of the batch, acks=all) before answering 200.',
  'not-acknowledged':
    'Your program did not answer 200 for some batches: when the connection to Kafka broke, its send failed instead of being retried. Let the producer retry (kafkajs and librdkafka do by default; with the idempotent producer retries are safe) for longer than a network blip, and answer 200 once it succeeded.',
} as const;

export interface AcknowledgedParams {
  /** How much later than the 200 a record may carry as its append time (clock reads in
   *  two processes). */
  slackMs: number;
}

export const acknowledgedEventsWritten: CheckDefinition<AcknowledgedParams> = {
  name: 'acknowledged-events-written',
  causes: ACKNOWLEDGED_CAUSES,
  parseParams: (raw) => ({ slackMs: num(raw, 'slackMs', 20) }),
  run(history, p) {
    const title = 'Every batch acknowledged, and only once Kafka had it';
    const expected = 'every batch answered 200, and every event of a batch written to the topic before the 200';
    const events = sentEvents(history);
    const answers = history.filter((op) => op.kind === 'observe' && op.stream === 'answers');
    const first = firstRecords(writtenRecords(history));
    const neverWritten: string[] = [];
    const late: string[] = [];
    const unacknowledged: string[] = [];
    let acknowledged = 0;
    for (const answer of answers) {
      const ids = field(answer, 'eventIds', isStrings) ?? [];
      const batch = field(answer, 'batch', isNumber) ?? 0;
      if (answer.outcome !== 'ok') {
        const status = field(answer, 'status', isNumber);
        unacknowledged.push(`batch ${batch} (${ids.length} events) ${status !== undefined ? `was answered HTTP ${status}` : `got ${field(answer, 'error', isString) ?? 'no answer'}`}`);
        continue;
      }
      acknowledged += ids.length;
      const answeredAt = field(answer, 'answeredAt', isNumber) ?? 0;
      for (const id of ids) {
        const record = first.get(id);
        if (!record) neverWritten.push(`${id} (batch ${batch}) was answered 200 and is not on the topic`);
        else if (record.appendedAt > answeredAt + p.slackMs) late.push(`${id} (batch ${batch}) was written at partition ${record.partition} offset ${record.offset} ${record.appendedAt - answeredAt} ms after your 200`);
      }
    }
    if (events.length === 0) return { title, status: 'unknown', expected, observed: 'the lab sent no events', examples: [] };
    const unreadable = unreadableRecords(history).length;
    if (unreadable > 0 && (neverWritten.length > 0 || late.length > 0)) {
      // Those events may well be among the records the lab could not read.
      return { title, status: 'unknown', expected, observed: `${countOf(unreadable, unreadable + writtenRecords(history).length, 'record')} on the topic have a value that is not the event's JSON, so the lab cannot tell whether the acknowledged events are on the topic (see "Every record's value is the event as JSON")`, examples: [] };
    }
    if (neverWritten.length > 0) {
      return { title, status: 'fail', cause: 'never-written', expected, observed: `${countOf(neverWritten.length, acknowledged, 'acknowledged event')} never reached the topic${late.length > 0 ? `, and ${late.length} more were written after your 200` : ''}`, examples: firstFew([...neverWritten.slice(0, 3), ...late.slice(0, 2)]) };
    }
    if (late.length > 0) {
      return { title, status: 'fail', cause: 'written-after-ack', expected, observed: `${countOf(late.length, acknowledged, 'acknowledged event')} were written after your program had answered 200 for them`, examples: firstFew(late) };
    }
    if (unacknowledged.length > 0) {
      return { title, status: 'fail', cause: 'not-acknowledged', expected, observed: `${unacknowledged.length} of ${answers.length} batches were not acknowledged`, examples: firstFew(unacknowledged) };
    }
    return { title, status: 'pass', expected, observed: `${answers.length} batches (${acknowledged} events) answered 200, each event on the topic by then`, examples: [] };
  },
};

// --- one-partition-per-key ---------------------------------------------------------------

export const PARTITION_CAUSES = {
  'no-key': 'Your records have no key, so the producer spreads them over the partitions (round-robin or sticky): an account\'s events end up in several partitions and no consumer can read them in order. Send every event with key = its accountId.',
  'other-key': 'Your records are keyed by something other than the account (the event id, its type...): Kafka keeps order per partition, and only the account as key puts all of an account\'s events in one. Send every event with key = its accountId.',
  split: 'Your records carry the account as key, yet an account\'s events went to several partitions: the partition was chosen by something else (a custom partitioner by event type, random, round-robin, or an explicit partition; one computed in your process, such as Python\'s salted hash() or a random partition remembered per key, moves when the program restarts). Leave the partition to the default partitioner, which hashes the key.',
} as const;

export const onePartitionPerKey: CheckDefinition<Record<string, never>> = {
  name: 'one-partition-per-key',
  causes: PARTITION_CAUSES,
  parseParams: () => ({}),
  run(history) {
    const title = 'Every event keyed by its account, each account in one partition';
    const expected = 'every record has key = its accountId, and all records of an account are in one partition';
    const accountOf = new Map(sentEvents(history).map((e) => [e.eventId, e.accountId]));
    const records = writtenRecords(history);
    if (records.length === 0) return { title, status: 'unknown', expected, observed: unreadableOnly(history) ?? 'nothing was written to the topic', examples: [] };
    const partitions = new Map<string, Set<number>>();
    const badKeys: string[] = [];
    let keyless = 0;
    for (const r of records) {
      const accountId = (r.eventId !== undefined ? accountOf.get(r.eventId) : undefined) ?? r.accountId;
      // A record of no known event and no account (value-is-the-event names it): no account to judge.
      if (accountId === null) continue;
      partitions.set(accountId, (partitions.get(accountId) ?? new Set()).add(r.partition));
      if (r.kafkaKey === null) keyless++;
      else if (r.kafkaKey !== accountId) badKeys.push(`${r.eventId ?? 'a record'} of ${accountId} has key "${r.kafkaKey}" (partition ${r.partition} offset ${r.offset})`);
    }
    const split = [...partitions].filter(([, set]) => set.size > 1).sort(([a], [b]) => a.localeCompare(b));
    const splitExamples = split.map(([account, set]) => `${account} is in partitions ${[...set].sort((a, b) => a - b).join(', ')}`);
    if (keyless > 0) {
      return { title, status: 'fail', cause: 'no-key', expected, observed: `${countOf(keyless, records.length, 'record')} have no key; ${split.length} of ${partitions.size} accounts are spread over several partitions`, examples: firstFew(splitExamples) };
    }
    if (badKeys.length > 0) {
      return { title, status: 'fail', cause: 'other-key', expected, observed: `${countOf(badKeys.length, records.length, 'record')} are not keyed by their accountId; ${split.length} of ${partitions.size} accounts are spread over several partitions`, examples: firstFew([...badKeys.slice(0, 2), ...splitExamples.slice(0, 3)]) };
    }
    if (split.length > 0) {
      return { title, status: 'fail', cause: 'split', expected, observed: `${split.length} of ${partitions.size} accounts are spread over several partitions, though every record is keyed by its account`, examples: firstFew(splitExamples) };
    }
    return { title, status: 'pass', expected, observed: `${partitions.size} accounts, each in one partition, every record keyed by its account`, examples: [] };
  },
};

// --- per-key-order -----------------------------------------------------------------------

export const ORDER_CAUSES = {
  'within-batch':
    'Events of one batch were written out of order: your program had several sends in flight at once (a send() per event side by side, or max.in.flight > 1 without idempotence), and when the connection broke each was retried on its own and they landed in a different order. Send a batch in one send() call (in order), or enable the idempotent producer, which keeps order across retries.',
  'across-batches':
    'An event of a later batch was written before an event of an earlier one: the earlier batch was still being sent (or retried) when your program answered 200 and took the next batch. Answer 200 only once the send resolved, so the next batch goes after it.',
} as const;

export const perKeyOrder: CheckDefinition<Record<string, never>> = {
  name: 'per-key-order',
  causes: ORDER_CAUSES,
  parseParams: () => ({}),
  run(history) {
    const title = 'Each account\'s events in the order they were sent';
    const expected = 'within its partition, every account\'s events are at increasing offsets in the order the lab sent them';
    const sent = new Map(sentEvents(history).map((e) => [e.eventId, e]));
    const first = firstRecords(writtenRecords(history));
    if (first.size === 0) return { title, status: 'unknown', expected, observed: unreadableOnly(history) ?? 'nothing was written to the topic', examples: [] };
    // Per account and partition, the events' first copies by offset.
    const lanes = new Map<string, Array<{ event: SentEvent; record: WrittenRecord }>>();
    for (const [eventId, record] of first) {
      const event = sent.get(eventId);
      if (!event) continue;
      const lane = `${event.accountId}@${record.partition}`;
      lanes.set(lane, [...(lanes.get(lane) ?? []), { event, record }]);
    }
    const pairs: Array<{ account: string; earlier: { event: SentEvent; record: WrittenRecord }; later: { event: SentEvent; record: WrittenRecord } }> = [];
    const accountsOutOfOrder = new Set<string>();
    const accounts = new Set<string>();
    for (const lane of lanes.values()) {
      lane.sort((a, b) => a.record.offset - b.record.offset);
      let highest = lane[0];
      for (const item of lane.slice(1)) {
        if (highest && item.event.index < highest.event.index) {
          // `item` was sent before `highest` but written after it.
          pairs.push({ account: item.event.accountId, earlier: item, later: highest });
          accountsOutOfOrder.add(item.event.accountId);
        } else highest = item;
      }
      if (lane[0]) accounts.add(lane[0].event.accountId);
    }
    if (pairs.length === 0) return { title, status: 'pass', expected, observed: `${first.size} events of ${accounts.size} accounts, each account's in send order`, examples: [] };
    pairs.sort((a, b) => a.earlier.event.index - b.earlier.event.index);
    const describe = ({ event, record }: { event: SentEvent; record: WrittenRecord }) => `${event.eventId} (${ordinal(event.position + 1)} of batch ${event.batch}) at partition ${record.partition} offset ${record.offset}`;
    const sameBatch = pairs.filter((p) => p.earlier.event.batch === p.later.event.batch);
    const cause = sameBatch.length > 0 ? 'within-batch' : 'across-batches';
    const shown = cause === 'within-batch' ? sameBatch : pairs;
    return {
      title,
      status: 'fail',
      cause,
      expected,
      observed: `${accountsOutOfOrder.size} of ${accounts.size} accounts have events out of send order (${pairs.length} ${pairs.length === 1 ? 'event' : 'events'} written after a later one${cause === 'within-batch' ? `, ${sameBatch.length} of them within one batch` : ', each after an event of a later batch'})`,
      examples: firstFew(shown).map((p) => `${p.account}: ${describe(p.earlier)} was sent before ${describe(p.later)}, but written after it`),
    };
  },
};

// --- value-is-the-event ------------------------------------------------------------------

export const VALUE_CAUSES = {
  'not-the-event-json':
    'Some record values are not the event as JSON with its eventId (another serialisation: Python\'s str() or repr() of a dict, renamed fields such as event_id, or not JSON at all): a consumer cannot parse them, and the lab cannot tell which event each one is. Send value = JSON of the event, with the field names the lab sent (json.dumps(event) / JSON.stringify(event)).',
  'changed-field':
    'Your records carry the events, but a field the lab sent is missing or has another value (converted, renamed, rounded...): a consumer rebuilding balances from these records gets them wrong. Publish the event as it came: every field, with its value unchanged (extra fields are fine).',
} as const;

/** A field's value as a learner would read it in a message. */
const shown = (v: unknown) => (v === undefined ? 'missing' : JSON.stringify(v));

export const valueIsTheEvent: CheckDefinition<Record<string, never>> = {
  name: 'value-is-the-event',
  causes: VALUE_CAUSES,
  parseParams: () => ({}),
  run(history) {
    const title = 'Every record\'s value is the event as JSON';
    const expected = 'every record\'s value is a JSON object with every field the lab sent (eventId, accountId, type, amountCents, accountSeq), each equal to what the lab sent; extra fields are allowed';
    const sent = new Map<string, Record<string, unknown>>();
    for (const op of history) {
      if (op.kind !== 'produce' || op.stream !== 'events' || op.key === undefined) continue;
      const event = field(op, 'event', isObject);
      if (event) sent.set(op.key, event);
    }
    const readable = history.filter((op) => op.kind === 'consume' && op.stream === 'events');
    const unreadable = unreadableRecords(history);
    const total = readable.length + unreadable.length;
    if (total === 0) return { title, status: 'unknown', expected, observed: 'nothing was written to the topic', examples: [] };
    if (unreadable.length > 0) {
      const notJson = unreadable.filter((op) => field(op, 'json', (v): v is boolean => typeof v === 'boolean') !== true).length;
      const describe = (op: Operation) => `partition ${op.partition ?? '?'} offset ${op.offset ?? '?'}, key ${shown(field(op, 'kafkaKey', isString) ?? null)}: ${(field(op, 'raw', isString) ?? '').slice(0, 120)}`;
      const kinds = [notJson > 0 ? `${notJson} not JSON` : '', unreadable.length - notJson > 0 ? `${unreadable.length - notJson} JSON without an "eventId" field` : ''].filter(Boolean).join(', ');
      return { title, status: 'fail', cause: 'not-the-event-json', expected, observed: `${countOf(unreadable.length, total, 'record')} have a value that is not the event's JSON (${kinds}); the first bodies seen:`, examples: firstFew(unreadable, 3).map(describe) };
    }
    const changed: string[] = [];
    for (const op of readable) {
      const value = field(op, 'event', isObject) ?? {};
      const original = op.key === undefined ? undefined : sent.get(op.key);
      if (!original) {
        changed.push(`a record (partition ${op.partition ?? '?'} offset ${op.offset ?? '?'}) has eventId ${shown(op.key)}, which the lab never sent`);
        continue;
      }
      // The first differing field, in the order the lab sent them.
      const differing = Object.keys(original).find((name) => JSON.stringify(value[name]) !== JSON.stringify(original[name]));
      if (differing !== undefined) changed.push(`${op.key} (partition ${op.partition ?? '?'} offset ${op.offset ?? '?'}): ${differing} is ${shown(value[differing])}, the lab sent ${shown(original[differing])}`);
    }
    if (changed.length > 0) {
      return { title, status: 'fail', cause: 'changed-field', expected, observed: `${countOf(changed.length, total, 'record')} differ from the event the lab sent`, examples: firstFew(changed, 3) };
    }
    return { title, status: 'pass', expected, observed: `${total} records, each the event the lab sent, every field equal`, examples: [] };
  },
};
