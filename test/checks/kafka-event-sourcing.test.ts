// The fold of user actions, and state-rebuilt over literal histories.
import { describe, expect, it } from 'vitest';
import { type UserAction, type UserState, foldUser, stateRebuilt, stateDifferences } from '../../src/checks/user-state.js';
import type { Operation } from '../../src/runner/history.js';

const at = (s: number) => new Date(Date.UTC(2026, 2, 2, 9, 0, s)).toISOString();
let n = 0;
const action = (userId: string, type: UserAction['type'], fields: Partial<UserAction> = {}, second = ++n): UserAction => ({ eventId: `action-${n}`, userId, type, occurredAt: at(second), ...fields });

describe('foldUser', () => {
  it('applies each action as the README says', () => {
    const state = foldUser('u1', [
      action('u1', 'signed-up', { email: 'a@x', plan: 'free' }),
      action('u1', 'item-added', { sku: 'mug', quantity: 3 }),
      action('u1', 'item-added', { sku: 'pen', quantity: 1 }),
      action('u1', 'item-removed', { sku: 'mug', quantity: 1 }),
      action('u1', 'item-removed', { sku: 'pen', quantity: 1 }),
      action('u1', 'email-changed', { email: 'b@x' }),
      action('u1', 'plan-changed', { plan: 'pro' }),
      action('u1', 'deactivated'),
    ]);
    expect(state).toEqual({ userId: 'u1', email: 'b@x', plan: 'pro', status: 'deactivated', cart: { mug: 2 }, version: 8 });
  });
  it('starts from the empty state', () => {
    expect(foldUser('u2', [])).toEqual({ userId: 'u2', email: null, plan: null, status: null, cart: {}, version: 0 });
  });
});

describe('stateDifferences', () => {
  const want: UserState = { userId: 'u1', email: 'a@x', plan: 'free', status: 'active', cart: { mug: 2 }, version: 3 };
  it('ignores fields of the program\'s own and zero quantities', () => {
    expect(stateDifferences(want, { ...want, cart: { mug: 2, pen: 0 }, lastOffset: 17 })).toEqual([]);
  });
  it('names each differing field', () => {
    expect(stateDifferences(want, { ...want, email: 'b@x', cart: {} })).toEqual(['email: expected "a@x", got "b@x"', 'cart: expected {"mug":2}, got {}']);
  });
});

// A history: `actions` appended by the lab (t = index * 10, one partition, offsets in order),
// a kill at t=killAt and the phase "back" at t=backAt, and the snapshot records read.
function history(actions: UserAction[], snapshots: Array<{ key: string | null; state: unknown; partition?: number }>, killAt = 1_000, backAt = 1_000): Operation[] {
  const ops: Operation[] = [{ t: 5, process: 'learner-1', kind: 'process', outcome: 'ok', value: { event: 'start', pid: 1, start: 1 } }];
  actions.forEach((a, i) => ops.push({ t: 10 + i * 10, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'user-actions', key: a.eventId, partition: 0, offset: String(i), value: { ...a } }));
  ops.push({ t: killAt, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', phase: 'start', signal: 'SIGKILL' } });
  ops.push({ t: killAt + 1, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', phase: 'heal', restarted: true } });
  ops.push({ t: backAt, process: 'lab', kind: 'phase', outcome: 'ok', key: 'back' });
  snapshots.forEach((s, i) => ops.push({ t: 2_000 + i, process: 'lab', kind: 'consume', outcome: 'ok', stream: 'user-state', partition: s.partition ?? 0, offset: String(i), ...(s.key === null ? {} : { key: s.key }), value: { key: s.key, state: s.state } }));
  return ops.sort((a, b) => a.t - b.t);
}
const run = (ops: Operation[]) => stateRebuilt.run(ops, stateRebuilt.parseParams({}));

// u1: signed up, a mug (t=20..), email changed; then (while down: t 40-50) a pen and the plan.
const u1 = [
  action('u1', 'signed-up', { email: 'a@x', plan: 'free' }),
  action('u1', 'item-added', { sku: 'mug', quantity: 2 }),
  action('u1', 'email-changed', { email: 'b@x' }),
  action('u1', 'item-added', { sku: 'pen', quantity: 1 }),
  action('u1', 'plan-changed', { plan: 'pro' }),
  action('u1', 'item-removed', { sku: 'mug', quantity: 1 }),
];
const full = foldUser('u1', u1);

describe('state-rebuilt', () => {
  it('passes when the latest snapshot per user equals the fold', () => {
    const r = run(history(u1, [{ key: 'u1', state: foldUser('u1', u1.slice(0, 3)) }, { key: 'u1', state: { ...full, lastOffset: 5 } }]));
    expect(r.status).toBe('pass');
  });
  it('says the state was lost at the restart when the snapshot folds only the last actions', () => {
    const r = run(history(u1, [{ key: 'u1', state: foldUser('u1', u1.slice(3)) }], 35, 36));
    expect(r).toMatchObject({ status: 'fail', cause: 'lost-at-restart' });
    expect(r.examples[0]).toContain('u1 (6 actions; only the actions after a restart are in it): email: expected "b@x", got null');
  });
  it('says actions were missed while down when exactly those are missing', () => {
    // Down from t=35 to t=55: the actions at t=40 and t=50 (the pen and the plan).
    const r = run(history(u1, [{ key: 'u1', state: foldUser('u1', [...u1.slice(0, 3), ...u1.slice(5)]) }], 35, 55));
    expect(r).toMatchObject({ status: 'fail', cause: 'missed-while-down' });
  });
  it('says actions were missed while down when the gap runs on a little after the restart', () => {
    // Down from t=35 to t=45: the pen (t=40) and, set at the end a moment later, the plan (t=50).
    const r = run(history(u1, [{ key: 'u1', state: foldUser('u1', [...u1.slice(0, 3), ...u1.slice(5)]) }], 35, 45));
    expect(r).toMatchObject({ status: 'fail', cause: 'missed-while-down' });
  });
  it('prefers the down window to a suffix when later actions hide what is missing', () => {
    // Down from t=35 to t=45: the mug added at t=40 is missed, and removed again at t=50. The
    // state without it equals the state without the signed-up too (a suffix): every field the
    // signed-up set is set again later. The window decides.
    const hidden = [
      action('u3', 'signed-up', { email: 'a@x', plan: 'free' }),
      action('u3', 'email-changed', { email: 'b@x' }),
      action('u3', 'plan-changed', { plan: 'pro' }),
      action('u3', 'item-added', { sku: 'mug', quantity: 1 }),
      action('u3', 'item-removed', { sku: 'mug', quantity: 1 }),
      action('u3', 'deactivated'),
    ];
    const missed = foldUser('u3', [...hidden.slice(0, 3), ...hidden.slice(4)]);
    expect(missed).toEqual(foldUser('u3', hidden.slice(1)));
    expect(run(history(hidden, [{ key: 'u3', state: missed }], 35, 45))).toMatchObject({ status: 'fail', cause: 'missed-while-down' });
  });
  it('says actions were applied twice when the version is above the history\'s length', () => {
    const r = run(history(u1, [{ key: 'u1', state: foldUser('u1', [...u1.slice(0, 3), ...u1]) }], 35, 36));
    expect(r).toMatchObject({ status: 'fail', cause: 'applied-twice' });
  });
  it('says the version is not the count when only the version differs (the record\'s offset + 1)', () => {
    const r = run(history(u1, [{ key: 'u1', state: { ...full, version: 17 } }]));
    expect(r).toMatchObject({ status: 'fail', cause: 'version-not-count' });
    expect(r.examples[0]).toContain('u1 (6 actions; only version differs: it is not the count of the user\'s actions): version: expected 6, got 17');
  });
  it('says applied twice, not the version, when a replay on a restored state left only the version different', () => {
    // The mug removed past 0: the doubled cart ends empty as well; only the version tells.
    const cleared = [action('u4', 'signed-up', { email: 'd@x', plan: 'free' }), action('u4', 'item-added', { sku: 'mug', quantity: 1 }), action('u4', 'item-removed', { sku: 'mug', quantity: 5 })];
    const twice = foldUser('u4', [...cleared, ...cleared]);
    expect(stateDifferences(foldUser('u4', cleared), { ...twice })).toEqual(['version: expected 3, got 6']);
    expect(run(history(cleared, [{ key: 'u4', state: twice }], 35, 36))).toMatchObject({ status: 'fail', cause: 'applied-twice' });
  });
  it('still says behind when the missing last action changed no field', () => {
    const noop = [...u1, action('u1', 'item-removed', { sku: 'lamp', quantity: 1 })];
    const r = run(history(noop, [{ key: 'u1', state: full }]));
    expect(r).toMatchObject({ status: 'fail', cause: 'behind' });
  });
  it('says the restore was incomplete when states were lost at the restart while other users are right', () => {
    const u2 = [action('u2', 'signed-up', { email: 'c@x', plan: 'free' }, 1), action('u2', 'plan-changed', { plan: 'team' }, 2)];
    const r = run(history([...u2, ...u1], [{ key: 'u2', state: foldUser('u2', u2) }, { key: 'u1', state: foldUser('u1', u1.slice(3)) }], 55, 56));
    expect(r).toMatchObject({ status: 'fail', cause: 'restore-incomplete' });
    expect(r.observed).toBe('1 of 2 users differ from the fold of their history; 1 of them only the actions after a restart are in it, though other users were restored');
  });
  it('says the order was not the log\'s when an action with an old occurredAt was skipped', () => {
    const late = action('u1', 'email-changed', { email: 'phone@x' }, 1);
    const actions = [...u1, late];
    const r = run(history(actions, [{ key: 'u1', state: full }]));
    expect(r).toMatchObject({ status: 'fail', cause: 'out-of-order' });
  });
  it('says the fold is wrong when every action counted and a field differs', () => {
    const r = run(history(u1, [{ key: 'u1', state: { ...full, cart: { pen: 1 } } }]));
    expect(r).toMatchObject({ status: 'fail', cause: 'wrong-fold' });
    expect(r.examples[0]).toContain('cart: expected {"mug":1,"pen":1}, got {"pen":1}');
  });
  it('says a state is behind when its last actions are missing', () => {
    const r = run(history(u1, [{ key: 'u1', state: foldUser('u1', u1.slice(0, 5)) }]));
    expect(r).toMatchObject({ status: 'fail', cause: 'behind' });
  });
  it('says the program was back late when the lab recorded it not ready after the restart', () => {
    const ops = history(u1, [{ key: 'u1', state: foldUser('u1', u1.slice(0, 5)) }]);
    ops.push({ t: 1_500, process: 'learner-1', kind: 'process', outcome: 'fail', value: { event: 'not-ready', reason: 'not back', hint: '' } });
    expect(run(ops)).toMatchObject({ status: 'fail', cause: 'back-late' });
  });
  it('names keys that are not the user id', () => {
    const u2 = [action('u2', 'signed-up', { email: 'c@x', plan: 'free' })];
    const r = run(history([...u1, ...u2], [{ key: 'signed-up', state: foldUser('u1', u1.slice(0, 1)) }, { key: 'signed-up', state: foldUser('u2', u2) }]));
    expect(r).toMatchObject({ status: 'fail', cause: 'key-merges-users' });
    expect(r.examples[0]).toContain('key "signed-up" carried the states of 2 users (u1, u2)');
  });
  it('shows a quoted key as JSON, each mismatch once', () => {
    const quoted = { key: '"u1"', state: full };
    const r = run(history(u1, [quoted, quoted, quoted]));
    expect(r).toMatchObject({ status: 'fail', cause: 'key-merges-users', observed: 'snapshots keyed by something other than the user id: keys like "\\"u1\\""' });
    expect(r.examples).toEqual(['key "\\"u1\\"" held the state of u1']);
  });
  it('counts snapshots without a key', () => {
    const r = run(history(u1, [{ key: null, state: full }]));
    expect(r).toMatchObject({ status: 'fail', cause: 'key-merges-users' });
    expect(r.examples[0]).toContain('1 of 1 snapshot had no key');
  });
  it('says a user was never snapshotted', () => {
    const u2 = [action('u2', 'signed-up', { email: 'c@x', plan: 'free' })];
    const r = run(history([...u1, ...u2], [{ key: 'u1', state: full }]));
    expect(r).toMatchObject({ status: 'fail', cause: 'never-snapshotted' });
    expect(r.examples[0]).toContain('u2: no snapshot under this key');
  });
  it('fails with never-snapshotted when nothing was published', () => {
    expect(run(history(u1, []))).toMatchObject({ status: 'fail', cause: 'never-snapshotted' });
  });
  it('is unknown without actions', () => {
    expect(run(history([], [])).status).toBe('unknown');
  });
});
