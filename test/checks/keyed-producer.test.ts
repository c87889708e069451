// acknowledged-events-written, one-partition-per-key and per-key-order over literal histories
// of the keyed producer (workloads/kafka-keyed-producer.ts records them).
import { describe, expect, it } from 'vitest';
import { acknowledgedEventsWritten, onePartitionPerKey, perKeyOrder } from '../../src/checks/keyed-producer.js';
import type { History, Operation } from '../../src/runner/history.js';

const SENT_AT = 1_000_000;

/** Two batches: batch 1 = e1 (acc-a), e2 (acc-b), e3 (acc-a); batch 2 = e4 (acc-a), e5 (acc-b). */
const batches: ReadonlyArray<{ batch: number; events: ReadonlyArray<readonly [string, string]> }> = [
  { batch: 1, events: [['e1', 'acc-a'], ['e2', 'acc-b'], ['e3', 'acc-a']] },
  { batch: 2, events: [['e4', 'acc-a'], ['e5', 'acc-b']] },
];

function sent(): Operation[] {
  return batches.flatMap(({ batch, events }) =>
    events.map(([id, accountId], position): Operation => ({ t: batch, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'events', key: id, value: { accountId, batch, position, sentAt: SENT_AT } })),
  );
}
function answer(batch: number, outcome: Operation['outcome'], answeredAt: number, status = 200): Operation {
  const eventIds = batches.find((b) => b.batch === batch)?.events.map(([id]) => id) ?? [];
  return { t: 10 + batch, process: 'lab', kind: 'observe', outcome, stream: 'answers', key: `batch-${batch}`, value: { batch, eventIds, answeredAt, ...(outcome === 'info' ? { error: 'no answer within 8 s' } : { status }) } };
}
function record(id: string, partition: number, offset: number, appendedAt: number, kafkaKey: string | null = id.startsWith('e') ? accountOf(id) : null): Operation {
  return { t: 50, process: 'lab', kind: 'consume', outcome: 'ok', stream: 'events', key: id, partition, offset: String(offset), value: { kafkaKey, accountId: accountOf(id), appendedAt } };
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
