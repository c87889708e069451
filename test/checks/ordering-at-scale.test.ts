// Unit tests of the ordering-at-scale checks over literal histories.
import { describe, expect, it } from 'vitest';
import { type EntityOrderParams, type RepeatsParams, entityOrder, killSpans, repeatsOnlyAtRebalance } from '../../src/checks/entity-order.js';
import { inOrder } from '../../src/checks/order.js';
import type { Operation } from '../../src/runner/history.js';

const produce = (t: number, key: string, accountId: string, seq: number): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'account-events', key, value: { eventId: key, accountId, seq, tags: [] } });
const applied = (t: number, key: string, instance: number, arrivedAt = t - 1): Operation => ({ t, process: 'lab', kind: 'call', outcome: 'ok', stream: 'ledger-api', key, value: { instance, status: 200, arrivedAt } });
const scaled = (t: number, instance: number): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'scale-learner', id: 0, phase: 'start', action: 'start', instance } });

const killEvent = (t: number, phase: 'hold' | 'start' | 'heal', instance = 1): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 0, phase, instance, ...(phase === 'heal' ? { restarted: true } : {}) } });
/** Copy 1's call held at 2s, killed at 8.5s, restarted at 9s. */
const kill = [killEvent(2_000, 'hold'), killEvent(8_500, 'start'), killEvent(9_000, 'heal')];

const sent = [produce(0, 'e1', 'account-01', 1), produce(1, 'e2', 'account-02', 1), produce(2, 'e3', 'account-01', 2), produce(3, 'e4', 'account-01', 3)];
const orderParams: EntityOrderParams = { subject: 'event', entity: 'accountId', entityNoun: 'account', sent: { kind: 'produce', stream: 'account-events' }, delivered: { kind: 'call', stream: 'ledger-api' } };
const repeatParams: RepeatsParams = { subject: 'event', delivered: { kind: 'call', stream: 'ledger-api' }, windowMs: 2_000 };
const committed = (offsets: Record<string, number>): Operation => ({ t: 9_000, process: 'lab', kind: 'observe', outcome: 'ok', key: 'kafka-committed-offsets', value: { offsets, endOffsets: { '0': 10, '1': 10 } } });

describe('entity-order', () => {
  it('passes when each account is in sequence, whatever the order across accounts', () => {
    const h = [...sent, applied(10, 'e2', 1), applied(11, 'e1', 1), applied(12, 'e3', 2), applied(13, 'e4', 2)];
    expect(entityOrder.run(h, orderParams)).toMatchObject({ status: 'pass', observed: '4 applied, every account in sequence' });
  });

  it('grades first applications only: applying an event again later is not a reordering', () => {
    const h = [...sent, applied(10, 'e1', 1), applied(11, 'e2', 1), applied(12, 'e3', 1), applied(13, 'e4', 2), applied(14, 'e3', 2)];
    expect(entityOrder.run(h, orderParams).status).toBe('pass');
  });

  it('names within-one-copy when one copy had both in flight and finished a later event of the account first', () => {
    const h = [...sent, applied(10, 'e1', 1), applied(11, 'e4', 1, 5), applied(12, 'e3', 1, 5), applied(13, 'e2', 1)];
    const r = entityOrder.run(h, orderParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'within-one-copy' });
    expect(r.observed).toMatch(/1 of 4 events was applied after a later one of the same account \(1 account\), each time by the copy that had just applied the later one, both in flight at once/);
    expect(r.examples[0]).toMatch(/account-01: e3 \(#2\) applied at 0.0s by copy 1, after e4 \(#3\)/);
  });

  it('names not-in-offset-order when one copy applied them one after another in the wrong order (it sorted them)', () => {
    const h = [...sent, applied(10, 'e1', 1), applied(11, 'e4', 1, 10.5), applied(13, 'e3', 1, 12), applied(14, 'e2', 1)];
    const r = entityOrder.run(h, orderParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'not-in-offset-order' });
    expect(r.observed).toMatch(/one call after the other/);
  });

  it('names across-copies when the reordered events were applied by two copies (a handover)', () => {
    const h = [...sent, applied(10, 'e1', 1), applied(11, 'e4', 2), applied(12, 'e3', 1)];
    expect(entityOrder.run(h, orderParams)).toMatchObject({ status: 'fail', cause: 'across-copies' });
  });

  it('prefers within-one-copy when both show (a copy\'s own parallelism comes first)', () => {
    const more = [...sent, produce(4, 'e5', 'account-02', 2)];
    const h = [...more, applied(10, 'e1', 1), applied(11, 'e4', 2), applied(12, 'e3', 1), applied(13, 'e5', 1, 5), applied(14, 'e2', 1, 5)];
    expect(entityOrder.run(h, orderParams).cause).toBe('within-one-copy');
  });

  it('is unknown when nothing was applied', () => {
    expect(entityOrder.run(sent, orderParams).status).toBe('unknown');
  });

  it('agrees with in-order grouped by the same field (same inversions)', () => {
    const h = [...sent, applied(10, 'e1', 1), applied(11, 'e4', 1), applied(12, 'e3', 1), applied(13, 'e2', 1)];
    expect(inOrder.run(h, { subject: 'event', sent: orderParams.sent, delivered: orderParams.delivered, groupBy: 'accountId' })).toMatchObject({ status: 'fail', observed: '1 event arrived out of order' });
  });
});

describe('repeats-only-at-rebalance', () => {
  it('passes with no repeats', () => {
    expect(repeatsOnlyAtRebalance.run([applied(10, 'e1', 1), applied(20, 'e2', 1)], repeatParams)).toMatchObject({ status: 'pass', observed: 'no event was applied twice' });
  });

  it('excuses an event applied just before a rebalance and again right after it', () => {
    const h = [applied(4_000, 'e1', 1), scaled(4_100, 2), applied(5_200, 'e1', 2)];
    expect(repeatsOnlyAtRebalance.run(h, repeatParams)).toMatchObject({ status: 'pass', observed: '1 applied again right after a rebalance, as at-least-once allows' });
  });

  it('counts a change the lab saw in the group as a rebalance too', () => {
    const sample: Operation = { t: 4_500, process: 'lab', kind: 'observe', outcome: 'ok', key: 'kafka-group', value: { groupId: 'g', state: 'Stable', members: [], partitionCount: 8, instances: 4, otherGroups: [] } };
    expect(repeatsOnlyAtRebalance.run([applied(4_000, 'e1', 1), sample, applied(5_000, 'e1', 2)], repeatParams).status).toBe('pass');
  });

  it('names every-copy-reads-everything when another copy applies again what was applied long before', () => {
    const h = [applied(1_000, 'e1', 1), applied(1_100, 'e2', 1), scaled(4_000, 2), applied(5_500, 'e1', 2), applied(5_510, 'e2', 2)];
    const r = repeatsOnlyAtRebalance.run(h, repeatParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'every-copy-reads-everything' });
    expect(r.observed).toMatch(/2 of 2 events were applied again with no rebalance to explain it, each time by another copy/);
    expect(r.examples[0]).toBe('e1: applied by copy 1 at 1.0s, again by copy 2 at 5.5s');
  });

  it('names never-committed when the group had committed nothing at the end (every moved partition started over)', () => {
    const h = [applied(1_000, 'e1', 1), scaled(4_000, 2), applied(5_500, 'e1', 2), committed({ '0': -1, '1': -1 })];
    const r = repeatsOnlyAtRebalance.run(h, repeatParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'never-committed' });
    expect(r.observed).toMatch(/committed no offset at the end/);
  });

  it('names every-copy-reads-everything when copies joined groups of their own, though GROUP_ID has no commits', () => {
    const sample: Operation = { t: 4_500, process: 'lab', kind: 'observe', outcome: 'ok', key: 'kafka-group', value: { groupId: 'g', state: 'Dead', members: [], partitionCount: 8, instances: 4, otherGroups: ['g-1', 'g-2'] } };
    const h = [applied(1_000, 'e1', 1), sample, applied(5_500, 'e1', 2), committed({})];
    expect(repeatsOnlyAtRebalance.run(h, repeatParams).cause).toBe('every-copy-reads-everything');
  });

  it('names repeats-own-work when a copy repeats its own work with no rebalance near', () => {
    const h = [applied(1_000, 'e1', 1), applied(1_200, 'e1', 1)];
    expect(repeatsOnlyAtRebalance.run(h, repeatParams)).toMatchObject({ status: 'fail', cause: 'repeats-own-work' });
  });

  it('excuses what the killed copy applied just before its held call, applied again after the restart', () => {
    // e1 applied 0.5s before the hold began, again 8s later by the restarted copy: its commit
    // was still to come when the copy died (kafkajs commits after the batch).
    const h = [applied(1_500, 'e1', 1), ...kill, applied(9_800, 'e1', 1)];
    expect(repeatsOnlyAtRebalance.run(h, repeatParams)).toMatchObject({ status: 'pass', observed: '1 applied again right after a rebalance or a restart, as at-least-once allows' });
  });

  it('still fails a repeat of what the killed copy applied long before the hold (a commit never made)', () => {
    const h = [applied(500, 'e0', 1), applied(1_500, 'e1', 1), ...kill, applied(9_700, 'e0', 1), applied(9_800, 'e1', 1)];
    const r = repeatsOnlyAtRebalance.run(h, { ...repeatParams, windowMs: 1_000 });
    expect(r).toMatchObject({ status: 'fail', cause: 'repeats-own-work' });
    expect(r.examples).toEqual(['e0: applied by copy 1 at 0.5s, again by copy 1 at 9.7s']);
  });

  it('does not excuse a repeat of what the copy applied in the middle of a long hold (it should have committed it)', () => {
    const h = [applied(5_000, 'e1', 1), ...kill, applied(9_800, 'e1', 1)];
    expect(repeatsOnlyAtRebalance.run(h, repeatParams).status).toBe('fail');
  });

  it('does not excuse a repeat of another copy\'s work, nor one applied before the kill', () => {
    const h = [applied(1_500, 'e1', 2), applied(1_600, 'e2', 1), applied(1_900, 'e2', 1), ...kill, applied(9_800, 'e1', 2)];
    expect(repeatsOnlyAtRebalance.run(h, repeatParams).status).toBe('fail');
  });
});

describe('killSpans', () => {
  it('spans a kill from its hold to its restart', () => {
    expect(killSpans(kill)).toEqual([{ instance: 1, from: 2_000, killedAt: 8_500, until: 9_000 }]);
  });

  it('starts at the kill itself when nothing was held', () => {
    expect(killSpans([killEvent(3_000, 'start', 2)])).toEqual([{ instance: 2, from: 3_000, killedAt: 3_000, until: 3_000 }]);
  });
});
