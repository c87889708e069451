// Unit tests of the consumer-group checks over literal histories.
import { describe, expect, it } from 'vitest';
import { groupSharesPartitions } from '../../src/checks/observations.js';
import { offsetsCommittedAfterProcessing } from '../../src/checks/offsets.js';
import type { Operation } from '../../src/runner/history.js';

const group = (t: number, members: Array<[string, number[]]>, otherGroups: string[] = []): Operation => ({
  t,
  process: 'lab',
  kind: 'observe',
  outcome: 'ok',
  key: 'kafka-group',
  value: {
    groupId: 'payments-processor',
    state: 'Stable',
    members: members.map(([clientId, partitions]) => ({ memberId: `${clientId}-m`, clientId, partitions })),
    partitionCount: 6,
    instances: 3,
    otherGroups,
  },
});
const fault: Operation = { t: 100, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner' } };

describe('group-shares-partitions', () => {
  it('passes when three members own two partitions each before the fault', () => {
    const h = [group(10, [['c1', [0, 1]], ['c2', [2, 3]], ['c3', [4, 5]]]), fault];
    expect(groupSharesPartitions.run(h, { instances: 3 }).status).toBe('pass');
  });
  it('ignores samples taken after the fault (a rebalanced group of two is fine then)', () => {
    const h = [fault, group(200, [['c1', [0, 1, 2]], ['c2', [3, 4, 5]]])];
    expect(groupSharesPartitions.run(h, { instances: 3 }).status).toBe('unknown');
  });
  it('fails when the copies joined groups of their own, and names them', () => {
    const h = [group(10, [], ['payments-processor-1', 'payments-processor-2']), fault];
    const r = groupSharesPartitions.run(h, { instances: 3 });
    expect(r.status).toBe('fail');
    expect(r.observed).toBe('the group "payments-processor" had at most 0 members');
    expect(r.examples).toContain('other consumer groups seen in this run: payments-processor-1, payments-processor-2');
  });
  it('fails when one member holds every partition', () => {
    const h = [group(10, [['c1', [0, 1, 2, 3, 4, 5]], ['c2', []], ['c3', []]]), fault];
    expect(groupSharesPartitions.run(h, { instances: 3 }).status).toBe('fail');
  });
});

const record = (key: string, partition: number, offset: number): Operation => ({ t: 1, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'payments', key, partition, offset: String(offset) });
const booked = (key: string, outcome: Operation['outcome'] = 'ok'): Operation => ({ t: 2, process: 'downstream', kind: 'call', outcome, stream: 'ledger-api', key });
const offsets = (committed: Record<string, number>, ends: Record<string, number>): Operation => ({
  t: 9,
  process: 'lab',
  kind: 'observe',
  outcome: 'ok',
  key: 'kafka-committed-offsets',
  value: { offsets: committed, endOffsets: ends },
});
const params = { processed: { kind: 'call', stream: 'ledger-api' } } as const;

describe('offsets-committed-after-processing', () => {
  it('passes when everything was booked and committed to the end', () => {
    const h = [record('a', 0, 0), record('b', 0, 1), booked('a'), booked('b'), offsets({ 0: 2 }, { 0: 2 })];
    expect(offsetsCommittedAfterProcessing.run(h, params).status).toBe('pass');
  });
  it('fails a record committed but never booked: committed ahead', () => {
    const h = [record('a', 0, 0), record('b', 0, 1), booked('a'), booked('b', 'info'), offsets({ 0: 2 }, { 0: 2 })];
    const r = offsetsCommittedAfterProcessing.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'committed-ahead' });
    expect(r.examples[0]).toBe("b (partition 0, offset 1): never processed, yet the group's committed offset 2 is past it");
  });
  it('fails offsets committed one short of the end: committed behind (offset, not offset + 1)', () => {
    const h = [record('a', 0, 0), record('b', 0, 1), record('c', 1, 0), booked('a'), booked('b'), booked('c'), offsets({ 0: 1, 1: 0 }, { 0: 2, 1: 1 })];
    const r = offsetsCommittedAfterProcessing.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'committed-behind' });
    expect(r.observed).toBe('2 partitions stop exactly one record short of the end: the offsets committed are those of the last records processed, not the next ones to read');
    expect(r.examples[0]).toBe('partition 0: committed offset 1, but the next record to read is 2');
  });
  it('fails a group that never committed anything: never committed', () => {
    const h = [record('a', 0, 0), record('b', 1, 0), booked('a'), booked('b'), offsets({}, { 0: 1, 1: 1 })];
    const r = offsetsCommittedAfterProcessing.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'never-committed' });
    expect(r.examples[0]).toBe('partition 0: nothing committed, 1 record in it');
  });
  it('fails a partition committed further behind: left uncommitted', () => {
    const h = [record('a', 0, 0), record('b', 0, 1), record('c', 0, 2), booked('a'), booked('b'), booked('c'), offsets({ 0: 1 }, { 0: 3 })];
    expect(offsetsCommittedAfterProcessing.run(h, params)).toMatchObject({ status: 'fail', cause: 'left-uncommitted' });
  });
  it('is unknown without an offsets sample', () => {
    expect(offsetsCommittedAfterProcessing.run([record('a', 0, 0)], params).status).toBe('unknown');
  });
});

describe('offsets-committed-after-processing: how the commit got past a held booking', () => {
  const strike = (heldMs: number, laterDone = false): Operation => ({ t: 5, process: 'nemesis', kind: 'fault', outcome: 'ok', key: 'v', value: { fault: 'kill-learner', id: 0, phase: 'start', signal: 'SIGKILL', reason: 'committed-past', committedPast: { heldMs, laterDone } } });
  const base = [record('u', 0, 4), record('v', 0, 5), record('w', 0, 6), booked('u'), booked('v', 'info'), offsets({ 0: 7 }, { 0: 7 })];
  it('before the work: at once, nothing later done', () => {
    expect(offsetsCommittedAfterProcessing.run([...base, strike(40)], params).cause).toBe('committed-before-work');
  });
  it('past running work: a later record of the partition was booked before the commit showed', () => {
    const laterBooked: Operation = { ...booked('w'), t: 3 };
    expect(offsetsCommittedAfterProcessing.run([...base, laterBooked, strike(40)], params).cause).toBe('committed-past-running-work');
  });
  it('on a timer: after a while, nothing later done', () => {
    expect(offsetsCommittedAfterProcessing.run([...base, strike(4200)], params).cause).toBe('committed-on-timer');
  });
});
