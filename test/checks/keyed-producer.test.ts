// acknowledged-events-written, one-partition-per-key and per-key-order over literal histories
// of the keyed producer (workloads/kafka-keyed-producer.ts records them).
import { describe, expect, it } from 'vitest';
import { acknowledgedEventsWritten, onePartitionPerKey, perKeyOrder, valueIsTheEvent } from '../../src/checks/keyed-producer.js';
import type { History, Operation } from '../../src/runner/history.js';

const SENT_AT = 1_000_000;

/** Two batches: batch 1 = e1 (acc-a), e2 (acc-b), e3 (acc-a); batch 2 = e4 (acc-a), e5 (acc-b). */
const batches: ReadonlyArray<{ batch: number; events: ReadonlyArray<readonly [string, string]> }> = [
  { batch: 1, events: [['e1', 'acc-a'], ['e2', 'acc-b'], ['e3', 'acc-a']] },
  { batch: 2, events: [['e4', 'acc-a'], ['e5', 'acc-b']] },
];

/** The event the lab sent (the workload records it whole in each produce). */
function eventOf(id: string, accountId: string): Record<string, unknown> {
  return { eventId: id, accountId, type: 'deposit', amountCents: 1554, accountSeq: Number(id.slice(1)) };
}
function sent(): Operation[] {
  return batches.flatMap(({ batch, events }) =>
    events.map(([id, accountId], position): Operation => ({ t: batch, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'events', key: id, value: { accountId, batch, position, sentAt: SENT_AT, event: eventOf(id, accountId) } })),
  );
}
function answer(batch: number, outcome: Operation['outcome'], answeredAt: number, status = 200): Operation {
  const eventIds = batches.find((b) => b.batch === batch)?.events.map(([id]) => id) ?? [];
  return { t: 10 + batch, process: 'lab', kind: 'observe', outcome, stream: 'answers', key: `batch-${batch}`, value: { batch, eventIds, answeredAt, ...(outcome === 'info' ? { error: 'no answer within 8 s' } : { status }) } };
}
function record(id: string, partition: number, offset: number, appendedAt: number, kafkaKey: string | null = id.startsWith('e') ? accountOf(id) : null): Operation {
  return { t: 50, process: 'lab', kind: 'consume', outcome: 'ok', stream: 'events', key: id, partition, offset: String(offset), value: { kafkaKey, accountId: accountOf(id), appendedAt, event: eventOf(id, accountOf(id)) } };
}
/** A record whose value the lab could not read as an event (the workload's stream "unreadable"). */
function unreadable(raw: string, kafkaKey: string, partition: number, offset: number, json = false): Operation {
  return { t: 50, process: 'lab', kind: 'consume', outcome: 'ok', stream: 'unreadable', partition, offset: String(offset), value: { kafkaKey, appendedAt: 100, raw, json } };
}
function accountOf(id: string): string {
  return batches.flatMap((b) => b.events).find(([e]) => e === id)?.[1] ?? '?';
}

/** A correct run: each batch written before its 200, acc-a in partition 0, acc-b in 1. */
const written = [record('e1', 0, 0, 100), record('e2', 1, 0, 100), record('e3', 0, 1, 100), record('e4', 0, 2, 200), record('e5', 1, 1, 200)];
const correct: History = [...sent(), answer(1, 'ok', 110), answer(2, 'ok', 210), ...written];

describe('acknowledged-events-written', () => {
  const run = (history: History) => acknowledgedEventsWritten.run(history, { slackMs: 20 });
  it('passes when every batch was answered 200 and written by then', () => {
    expect(run(correct)).toMatchObject({ status: 'pass', observed: '2 batches (5 events) answered 200, each event on the topic by then' });
  });
  it('names an acknowledged event that is not on the topic', () => {
    const result = run([...sent(), answer(1, 'ok', 110), answer(2, 'ok', 210), ...written.filter((op) => op.key !== 'e4')]);
    expect(result).toMatchObject({ status: 'fail', cause: 'never-written', observed: '1 of 5 acknowledged events never reached the topic' });
    expect(result.examples[0]).toBe('e4 (batch 2) was answered 200 and is not on the topic');
  });
  it('names an event Kafka appended after the 200, beyond the slack', () => {
    const late = [...written.slice(0, 3), record('e4', 0, 2, 300), record('e5', 1, 1, 225)];
    const result = run([...sent(), answer(1, 'ok', 110), answer(2, 'ok', 210), ...late]);
    expect(result).toMatchObject({ status: 'fail', cause: 'written-after-ack', observed: '1 of 5 acknowledged events were written after your program had answered 200 for them' });
    expect(result.examples).toEqual(['e4 (batch 2) was written at partition 0 offset 2 90 ms after your 200']);
  });
  it('counts a batch answered 500, or not at all, as not acknowledged', () => {
    const result = run([...sent(), answer(1, 'fail', 110, 500), answer(2, 'info', 9_000), ...written]);
    expect(result).toMatchObject({ status: 'fail', cause: 'not-acknowledged', observed: '2 of 2 batches were not acknowledged' });
    expect(result.examples).toEqual(['batch 1 (3 events) was answered HTTP 500', 'batch 2 (2 events) got no answer within 8 s']);
  });
  it('judges the first copy of a duplicated event (the duplicate is no-duplicates\' business)', () => {
    expect(run([...correct, record('e4', 0, 3, 900)])).toMatchObject({ status: 'pass' });
  });
  it('cannot judge a run that sent nothing', () => {
    expect(run([])).toMatchObject({ status: 'unknown' });
  });
});

describe('one-partition-per-key', () => {
  const run = (history: History) => onePartitionPerKey.run(history, {});
  it('passes when every account is in one partition, keyed by itself', () => {
    expect(run(correct)).toMatchObject({ status: 'pass', observed: '2 accounts, each in one partition, every record keyed by its account' });
  });
  it('tells records without a key', () => {
    const keyless = [record('e1', 0, 0, 100, null), record('e2', 1, 0, 100, null), record('e3', 2, 0, 100, null), record('e4', 0, 1, 200, null), record('e5', 1, 1, 200, null)];
    const result = run([...sent(), ...keyless]);
    expect(result).toMatchObject({ status: 'fail', cause: 'no-key', observed: '5 of 5 records have no key; 1 of 2 accounts are spread over several partitions' });
    expect(result.examples).toEqual(['acc-a is in partitions 0, 2']);
  });
  it('tells records keyed by something else', () => {
    const byEvent = written.map((op) => ({ ...op, value: { ...(op.value as object), kafkaKey: op.key } }));
    expect(run([...sent(), ...byEvent])).toMatchObject({ status: 'fail', cause: 'other-key' });
  });
  it('tells an account split over partitions though keyed by it (a partitioner that ignores the key)', () => {
    const split = [...written.slice(0, 3), record('e4', 3, 0, 200), record('e5', 1, 1, 200)];
    const result = run([...sent(), ...split]);
    expect(result).toMatchObject({ status: 'fail', cause: 'split', observed: '1 of 2 accounts are spread over several partitions, though every record is keyed by its account' });
    expect(result.examples).toEqual(['acc-a is in partitions 0, 3']);
  });
});

describe('per-key-order', () => {
  const run = (history: History) => perKeyOrder.run(history, {});
  it('passes when every account is in send order', () => {
    expect(run(correct)).toMatchObject({ status: 'pass', observed: '5 events of 2 accounts, each account\'s in send order' });
  });
  it('names the first pair of one batch written in the opposite order', () => {
    const swapped = [record('e3', 0, 0, 100), record('e2', 1, 0, 100), record('e1', 0, 1, 101), record('e4', 0, 2, 200), record('e5', 1, 1, 200)];
    const result = run([...sent(), ...swapped]);
    expect(result).toMatchObject({ status: 'fail', cause: 'within-batch', observed: '1 of 2 accounts have events out of send order (1 event written after a later one, 1 of them within one batch)' });
    expect(result.examples).toEqual(['acc-a: e1 (1st of batch 1) at partition 0 offset 1 was sent before e3 (3rd of batch 1) at partition 0 offset 0, but written after it']);
  });
  it('tells a later batch written before an earlier one', () => {
    const overtaken = [record('e1', 0, 0, 100), record('e2', 1, 0, 100), record('e4', 0, 1, 150), record('e3', 0, 2, 300), record('e5', 1, 1, 200)];
    expect(run([...sent(), ...overtaken])).toMatchObject({ status: 'fail', cause: 'across-batches' });
  });
  it('reads order from each event\'s first copy: a duplicate written later is not a reorder', () => {
    expect(run([...correct, record('e1', 0, 3, 400)])).toMatchObject({ status: 'pass' });
  });
  it('judges order within each partition when an account is split', () => {
    const split = [record('e1', 0, 0, 100), record('e2', 1, 0, 100), record('e3', 2, 0, 100), record('e4', 0, 1, 200), record('e5', 1, 1, 200)];
    expect(run([...sent(), ...split])).toMatchObject({ status: 'pass' });
  });
});

describe('value-is-the-event', () => {
  const run = (history: History) => valueIsTheEvent.run(history, {});
  it('passes when every record is the event sent, extra fields allowed', () => {
    expect(run(correct)).toMatchObject({ status: 'pass', observed: '5 records, each the event the lab sent, every field equal' });
    const extra = written.map((op) => ({ ...op, value: { ...(op.value as Record<string, unknown>), event: { ...eventOf(op.key ?? '', accountOf(op.key ?? '')), publishedAt: 7 } } }));
    expect(run([...sent(), ...extra])).toMatchObject({ status: 'pass' });
  });
  it('names the first differing field of each event (amount in dollars)', () => {
    const dollars = written.map((op) => ({ ...op, value: { ...(op.value as Record<string, unknown>), event: { ...eventOf(op.key ?? '', accountOf(op.key ?? '')), amountCents: '15.54' } } }));
    const result = run([...sent(), ...dollars]);
    expect(result).toMatchObject({ status: 'fail', cause: 'changed-field', observed: '5 of 5 records differ from the event the lab sent' });
    expect(result.examples[0]).toBe('e1 (partition 0 offset 0): amountCents is "15.54", the lab sent 1554');
  });
  it('names a missing field', () => {
    const { accountSeq: _dropped, ...withoutSeq } = eventOf('e1', 'acc-a');
    const result = run([...sent(), { ...written[0]!, value: { ...(written[0]!.value as Record<string, unknown>), event: withoutSeq } }, ...written.slice(1)]);
    expect(result).toMatchObject({ status: 'fail', cause: 'changed-field', observed: '1 of 5 records differ from the event the lab sent' });
    expect(result.examples).toEqual(['e1 (partition 0 offset 0): accountSeq is missing, the lab sent 1']);
  });
  it('shows the first bodies of values that are not the event\'s JSON (Python repr)', () => {
    const repr = [unreadable("{'eventId': 'e1', 'accountId': 'acc-a'}", 'acc-a', 0, 0), unreadable('{"event_id":"e2"}', 'acc-b', 1, 0, true)];
    const result = run([...sent(), ...repr]);
    expect(result).toMatchObject({ status: 'fail', cause: 'not-the-event-json', observed: '2 of 2 records have a value that is not the event\'s JSON (1 not JSON, 1 JSON without an "eventId" field); the first bodies seen:' });
    expect(result.examples).toEqual(['partition 0 offset 0, key "acc-a": {\'eventId\': \'e1\', \'accountId\': \'acc-a\'}', 'partition 1 offset 0, key "acc-b": {"event_id":"e2"}']);
  });
  it('cannot judge an empty topic', () => {
    expect(run(sent())).toMatchObject({ status: 'unknown' });
  });
});

describe('unreadable values in the other checks', () => {
  const repr = [unreadable("{'eventId': 'e1'}", 'acc-a', 0, 0), unreadable("{'eventId': 'e2'}", 'acc-b', 1, 0), unreadable("{'eventId': 'e3'}", 'acc-a', 0, 1)];
  const history: History = [...sent(), answer(1, 'ok', 110), answer(2, 'ok', 210), ...repr];
  it('acknowledged-events-written cannot tell which events reached the topic', () => {
    const result = acknowledgedEventsWritten.run(history, { slackMs: 20 });
    expect(result.status).toBe('unknown');
    expect(result.observed).toContain('3 of 3 records on the topic have a value that is not the event\'s JSON');
  });
  it('one-partition-per-key and per-key-order say they could not judge, with no "?" account', () => {
    for (const result of [onePartitionPerKey.run(history, {}), perKeyOrder.run(history, {})]) {
      expect(result.status).toBe('unknown');
      expect(result.observed).toContain('none of the 3 records on the topic has the event\'s JSON as its value');
    }
  });
  it('the readable records are still judged, the unreadable ones skipped', () => {
    expect(onePartitionPerKey.run([...correct, repr[0]!], {})).toMatchObject({ status: 'pass', observed: '2 accounts, each in one partition, every record keyed by its account' });
    expect(perKeyOrder.run([...correct, repr[0]!], {})).toMatchObject({ status: 'pass' });
    expect(acknowledgedEventsWritten.run([...correct, repr[0]!], { slackMs: 20 })).toMatchObject({ status: 'pass' });
  });
});
