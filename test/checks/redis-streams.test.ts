// Unit tests of the Redis Streams consumer-group checks (group-pending-empty,
// claimed-only-when-idle) over literal histories: each passes on a good history and fails on
// the bad one it exists for, naming the cause its evidence shows.
import { describe, expect, it } from 'vitest';
import { claimedOnlyWhenIdle, groupPendingEmpty } from '../../src/checks/stream-group.js';
import type { StreamGroupSnapshot } from '../../src/runner/observations.js';
import type { Operation } from '../../src/runner/history.js';

const kill = (t: number, instance: number): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 0, phase: 'start', instance, signal: 'SIGKILL' } });
const recorded = (t: number, key: string, instance: number): Operation => ({ t, process: 'downstream', kind: 'call', outcome: 'ok', stream: 'activity-store', key, value: { instance, arrivedAt: t - 10 } });
const snapshot = (over: Partial<StreamGroupSnapshot> = {}): Operation => ({
  t: 5_000,
  process: 'lab',
  kind: 'observe',
  outcome: 'ok',
  key: 'stream-group',
  value: {
    group: 'activity-trackers',
    exists: true,
    entriesRead: 3,
    otherGroups: [],
    consumers: [
      { name: 'consumer-1', pending: 0 },
      { name: 'consumer-2', pending: 0 },
    ],
    expectedConsumers: ['consumer-1', 'consumer-2', 'consumer-3'],
    deadConsumers: ['consumer-1'],
    pendingCount: 0,
    pending: [],
    ...over,
  } satisfies StreamGroupSnapshot,
});
const params = { subject: 'activity', delivered: { kind: 'call', stream: 'activity-store' } } as const;
const pending = (id: string, key: string, consumer: string) => ({ id, key, consumer, idleMs: 3_000, deliveries: 1 });

describe('group-pending-empty', () => {
  it('passes when the PEL is empty and the consumers are the copies', () => {
    const r = groupPendingEmpty.run([recorded(100, 'a1', 1), snapshot()], params);
    expect(r.status).toBe('pass');
  });

  it('is unknown without the end-of-run snapshot', () => {
    expect(groupPendingEmpty.run([recorded(100, 'a1', 1)], params).status).toBe('unknown');
  });

  it('group-not-used: the group delivered nothing (groups of their own)', () => {
    const r = groupPendingEmpty.run([snapshot({ entriesRead: 0, otherGroups: ['activity-trackers-1'], consumers: [] })], params);
    expect(r.cause).toBe('group-not-used');
    expect(r.examples).toEqual(['groups on the stream besides activity-trackers: activity-trackers-1']);
  });

  it('never-acked: recorded entries still pending', () => {
    const r = groupPendingEmpty.run([recorded(100, 'a1', 2), recorded(120, 'a2', 3), snapshot({ pendingCount: 2, pending: [pending('1-0', 'a1', 'consumer-2'), pending('1-1', 'a2', 'consumer-3')] })], params);
    expect(r.cause).toBe('never-acked');
    expect(r.examples[0]).toBe('entry 1-0 (a1): pending with consumer-2, idle 3.0 s, delivered 1 time, already recorded');
  });

  it('stranded-with-dead-consumer: the killed consumer still holds unrecorded entries', () => {
    const r = groupPendingEmpty.run([kill(50, 1), recorded(100, 'a1', 2), snapshot({ pendingCount: 2, pending: [pending('1-1', 'a2', 'consumer-1'), pending('1-2', 'a3', 'consumer-1')] })], params);
    expect(r.cause).toBe('stranded-with-dead-consumer');
    expect(r.observed).toBe('2 entries were still pending in activity-trackers at the end, held by the killed consumer consumer-1');
  });

  it('left-pending: a live consumer holds an entry it never recorded', () => {
    const r = groupPendingEmpty.run([snapshot({ pendingCount: 1, pending: [pending('1-1', 'a2', 'consumer-2')] })], params);
    expect(r.cause).toBe('left-pending');
  });

  it('consumer-names: one name shared by every copy', () => {
    const r = groupPendingEmpty.run([snapshot({ consumers: [{ name: 'activity-tracker', pending: 0 }] })], params);
    expect(r.cause).toBe('consumer-names');
    expect(r.examples).toEqual(['consumer "activity-tracker" is no copy\'s CONSUMER_PREFIX + INSTANCE_ID']);
  });
});

describe('claimed-only-when-idle', () => {
  it('passes when each activity was recorded once', () => {
    expect(claimedOnlyWhenIdle.run([recorded(100, 'a1', 1), recorded(110, 'a2', 2), snapshot()], params).status).toBe('pass');
  });

  it('excuses an activity the killed copy recorded before it died', () => {
    const r = claimedOnlyWhenIdle.run([recorded(100, 'a1', 1), kill(120, 1), recorded(1_300, 'a1', 2), snapshot()], params);
    expect(r.status).toBe('pass');
    expect(r.observed).toBe('1 activity recorded, none twice (except 1 the killed copy recorded before it died)');
  });

  it('claimed-too-early: two live copies recorded the same activity', () => {
    const r = claimedOnlyWhenIdle.run([recorded(100, 'a1', 2), recorded(140, 'a1', 3), snapshot()], params);
    expect(r.cause).toBe('claimed-too-early');
    expect(r.examples).toEqual(['a1 recorded 2 times: by copy 2 at 0.10 s, by copy 3 at 0.14 s']);
  });

  it('group-per-copy: other groups on the stream', () => {
    const r = claimedOnlyWhenIdle.run([recorded(100, 'a1', 1), recorded(100, 'a1', 2), recorded(100, 'a1', 3), snapshot({ entriesRead: 0, otherGroups: ['g-1', 'g-2', 'g-3'] })], params);
    expect(r.cause).toBe('group-per-copy');
  });

  it('not-acked: recorded entries were still pending, and were reclaimed and recorded again', () => {
    const r = claimedOnlyWhenIdle.run([recorded(100, 'a1', 2), recorded(1_200, 'a1', 3), snapshot({ pendingCount: 1, pending: [pending('1-0', 'a1', 'consumer-3')] })], params);
    expect(r.cause).toBe('not-acked');
  });

  it('claimed-too-early: the same copy recorded an activity twice (it claimed its own unfinished entry)', () => {
    const r = claimedOnlyWhenIdle.run([recorded(100, 'a1', 2), recorded(300, 'a1', 2), snapshot()], params);
    expect(r.cause).toBe('claimed-too-early');
  });
});
