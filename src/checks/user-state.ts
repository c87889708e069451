/**
 * Event sourcing (workloads/kafka-event-sourcing.ts): the learner's program folds each user's
 * actions (topic user-actions, keyed by user id) into the user's current state and publishes
 * it to a compacted snapshot topic (user-state, key = user id). The lab kills the program
 * mid-stream and starts it again; at the end the latest snapshot of every user must equal the
 * fold of that user's whole history.
 *
 * Definitions:
 * - a user's history: the actions the lab appended for that user, in log order (their offsets
 *   in the user's partition: every action of a user is in one partition).
 * - fold: the state after applying the history, one action at a time, to the empty state
 *   ({ userId, email: null, plan: null, status: null, cart: {}, version: 0 }), as the README
 *   specifies each action (`foldUser` below). `version` counts the actions applied.
 * - snapshot: a record the program published to the snapshot topic. A user's latest snapshot
 *   is the last record under the key = their user id (what compaction keeps); fields of the
 *   value other than the state's are the program's own (an offset it keeps) and not compared.
 * - a merging key: a snapshot whose key is not the user id in its value (null, the plan, the
 *   event type), or a key under which states of several users were published. Compaction
 *   keeps one record per key, so such a topic loses users.
 * - while down: from the moment the lab killed the program to the lab's phase "back" (the
 *   restarted program was in its consumer group again); before the first start: actions the
 *   lab appended before the program first ran.
 * - the causes of a user's difference, tried in this order (the version, a count, keeps the
 *   first two apart; an action whose effect a later one hides could otherwise fit both):
 *   - missed while down: the fold of the history without the actions appended while the
 *     program was down (and/or before it first started): it went on at the end of the log.
 *   - lost at restart: the snapshot is the fold of only the last actions of the history (a
 *     proper suffix), those after a restart: the state was kept in memory and the consumer went
 *     on from its committed offsets with an empty state.
 *   - missed while down, too: the fold without a run of actions that starts while the program
 *     was down and ends a little after it was back (its position set at the end late).
 *   - applied twice, exactly: the fold of the first actions and then the whole history (a
 *     restored state, then a replay from the beginning), the version included.
 *   - version not the count: every field but `version` equals the fold, and the state is not
 *     the fold of the first `version` actions (a snapshot behind): the program wrote something
 *     else in `version` (the record's offset, a timestamp), not the number of actions applied.
 *   - applied twice: a version above the history's length: actions applied again on top of a
 *     state that already had them (a restored snapshot, then a replay from the beginning).
 *   - out of order: the fold of the history sorted by occurredAt, or with actions older than
 *     the state's newest occurredAt skipped: the log's order was not the order applied.
 *   - wrong fold: as many actions as the history, different fields: an action applied
 *     otherwise than the README says.
 *   - behind: fewer actions, none of the above: the latest snapshot lags the history; "back
 *     late" when the lab recorded that the restarted program was not back in its group in time.
 *   - never snapshotted: no snapshot under the user's id at all.
 * - restore incomplete: when the users' most frequent cause is "lost at restart" but some users'
 *   snapshots are right, the program did restore, but only some of them (a snapshot partition
 *   not read): the check reports that instead.
 */
import type { History } from '../runner/history.js';
import { notReady } from '../runner/learner-events.js';
import { type CheckDefinition, countOf, firstFew, str } from './types.js';

/** One user action as the lab appends it (the value of a user-actions record). */
export interface UserAction {
  eventId: string;
  userId: string;
  type: 'signed-up' | 'email-changed' | 'plan-changed' | 'item-added' | 'item-removed' | 'deactivated';
  occurredAt: string;
  email?: string;
  plan?: string;
  sku?: string;
  quantity?: number;
}

/** A user's current state: the value of a user-state record. */
export interface UserState {
  userId: string;
  email: string | null;
  plan: string | null;
  status: 'active' | 'deactivated' | null;
  /** Quantity per sku; a sku whose quantity drops to 0 or below is removed. */
  cart: Record<string, number>;
  /** How many of the user's actions the state reflects. */
  version: number;
}

export const STATE_FIELDS = ['email', 'plan', 'status', 'cart', 'version'] as const;

export function emptyState(userId: string): UserState {
  return { userId, email: null, plan: null, status: null, cart: {}, version: 0 };
}

/** Applies one action to a state (pure): the README's table, line by line. */
export function applyAction(state: UserState, action: UserAction): UserState {
  const next: UserState = { ...state, cart: { ...state.cart }, version: state.version + 1 };
  switch (action.type) {
    case 'signed-up':
      next.email = action.email ?? null;
      next.plan = action.plan ?? null;
      next.status = 'active';
      break;
    case 'email-changed':
      next.email = action.email ?? null;
      break;
    case 'plan-changed':
      next.plan = action.plan ?? null;
      break;
    case 'item-added':
    case 'item-removed': {
      const sku = action.sku ?? '';
      const delta = (action.quantity ?? 0) * (action.type === 'item-added' ? 1 : -1);
      const quantity = (next.cart[sku] ?? 0) + delta;
      if (quantity > 0) next.cart[sku] = quantity;
      else delete next.cart[sku];
      break;
    }
    case 'deactivated':
      next.status = 'deactivated';
      break;
  }
  return next;
}

export function foldUser(userId: string, actions: readonly UserAction[]): UserState {
  return actions.reduce(applyAction, emptyState(userId));
}

/** The fields in which `actual` (a snapshot's value) differs from `expected`, each as
 *  "field: expected X, got Y". */
export function stateDifferences(expected: UserState, actual: Record<string, unknown>): string[] {
  const differences: string[] = [];
  for (const field of STATE_FIELDS) {
    const want = expected[field];
    const got = actual[field];
    const same = field === 'cart' ? sameCart(want as Record<string, number>, got) : want === got;
    if (!same) differences.push(`${field}: expected ${JSON.stringify(want)}, got ${got === undefined ? '(missing)' : JSON.stringify(got)}`);
  }
  return differences;
}

function sameCart(want: Record<string, number>, got: unknown): boolean {
  if (typeof got !== 'object' || got === null || Array.isArray(got)) return false;
  const entries = Object.entries(got as Record<string, unknown>).filter(([, q]) => q !== 0);
  return entries.length === Object.keys(want).length && entries.every(([sku, q]) => want[sku] === q);
}

const equalState = (expected: UserState, actual: Record<string, unknown>) => stateDifferences(expected, actual).length === 0;

// --- reading the history ------------------------------------------------------------------

/** A user's action with where and when the lab appended it. */
export interface LoggedAction {
  action: UserAction;
  partition: number;
  offset: number;
  /** When the lab appended it (ms since the run started). */
  t: number;
}

/** A snapshot record the lab read from the snapshot topic. */
export interface SnapshotRecord {
  key: string | null;
  partition: number;
  offset: number;
  /** The value as a JSON object, or undefined when it was not one. */
  state: Record<string, unknown> | undefined;
  t: number;
}

/** Each user's history in log order, from the lab's `produce` operations on `stream`. */
export function userHistories(history: History, stream: string): Map<string, LoggedAction[]> {
  const byUser = new Map<string, LoggedAction[]>();
  for (const op of history) {
    if (op.kind !== 'produce' || op.stream !== stream || op.outcome !== 'ok' || op.process !== 'lab') continue;
    const action = op.value as UserAction | undefined;
    if (typeof action?.userId !== 'string') continue;
    const list = byUser.get(action.userId) ?? [];
    list.push({ action, partition: op.partition ?? 0, offset: Number(op.offset ?? 0), t: op.t });
    byUser.set(action.userId, list);
  }
  for (const list of byUser.values()) list.sort((a, b) => a.offset - b.offset);
  return byUser;
}

/** The snapshot records the lab read, as `consume` operations on `stream`. */
export function snapshotRecords(history: History, stream: string): SnapshotRecord[] {
  return history
    .filter((op) => op.kind === 'consume' && op.stream === stream && op.process === 'lab')
    .map((op) => {
      const v = op.value as { key?: string | null; state?: unknown } | undefined;
      const state = typeof v?.state === 'object' && v.state !== null && !Array.isArray(v.state) ? (v.state as Record<string, unknown>) : undefined;
      return { key: v?.key ?? null, partition: op.partition ?? 0, offset: Number(op.offset ?? 0), state, t: op.t };
    });
}

/** The latest snapshot per key: the highest offset of its partition (compaction keeps that
 *  one); a key found in several partitions, the one read last. */
export function latestByKey(records: readonly SnapshotRecord[]): Map<string, SnapshotRecord> {
  const latest = new Map<string, SnapshotRecord>();
  for (const r of records) {
    if (r.key === null) continue;
    const seen = latest.get(r.key);
    if (!seen || (seen.partition === r.partition ? r.offset > seen.offset : r.t > seen.t)) latest.set(r.key, r);
  }
  return latest;
}

/** The windows in which the program was not running: before its first start, and from each
 *  kill of the lab to the phase "back" after it (or the restart, without such a phase). */
export function downWindows(history: History): Array<{ from: number; to: number; what: 'before-start' | 'while-down' }> {
  const windows: Array<{ from: number; to: number; what: 'before-start' | 'while-down' }> = [];
  const firstStart = history.find((op) => op.kind === 'process' && (op.value as { event?: string } | undefined)?.event === 'start');
  if (firstStart) windows.push({ from: 0, to: firstStart.t, what: 'before-start' });
  const kills = history.filter((op) => op.kind === 'fault' && (op.value as { phase?: string; signal?: string } | undefined)?.phase === 'start' && (op.value as { signal?: string }).signal === 'SIGKILL');
  for (const kill of kills) {
    const back = history.find((op) => op.t >= kill.t && op.kind === 'phase' && op.key === 'back');
    const heal = history.find((op) => op.t >= kill.t && op.kind === 'fault' && (op.value as { phase?: string } | undefined)?.phase === 'heal');
    windows.push({ from: kill.t, to: (back ?? heal)?.t ?? Number.POSITIVE_INFINITY, what: 'while-down' });
  }
  return windows;
}

// --- the check ------------------------------------------------------------------------------

const CAUSES = {
  'key-merges-users': 'Snapshots were published under a key that is not the user id (the action\'s id or type, the plan, no key): compaction keeps the latest record per key, so a key several users share keeps one of them, and a key per record never replaces anything. Key every snapshot by its user id.',
  'lost-at-restart': 'After the restart, users\' states held only the actions that came after it: the state lived in memory and the consumer went on from its committed offsets with an empty state. Rebuild the state from the log at start-up: replay the actions from the beginning, or restore the snapshots and continue from offsets stored with them.',
  'missed-while-down': 'The actions appended while your program was not running (while it was down, or before it first started) are missing from the states: it started at the end of the log. Read from the beginning when there is nothing to go on from, and otherwise continue from where the state you restored ends (offsets stored with it, or the group\'s committed offsets), never from "latest".',
  'version-not-count': 'Every field but version equals the fold: version is not the number of the user\'s actions the state reflects (it holds something else, such as the record\'s offset, which counts every user of the partition). Add 1 to version for each action you apply to the user.',
  'restore-incomplete': 'Some users\' states were restored after the restart, the others hold only the actions that came after it: the restore read only part of the snapshot topic (some of its partitions, or stopped before their ends). Read every partition of the snapshot topic up to its end before going on.',
  'applied-twice': 'Actions were applied twice: a state already holding them (a restored snapshot) got them again (a replay from the beginning). Restore and continue from the offsets the state reflects, or replay everything onto an empty state: not both.',
  'out-of-order': 'A user\'s actions were applied in another order than the log\'s: ordered by occurredAt, or an action older than the state skipped. The log is the order of record: apply each partition\'s actions in offset order, whatever their timestamps.',
  'wrong-fold': 'Every action was applied, but some changed the state otherwise than the README says: compare your fold with the README\'s table, action by action.',
  behind: 'The latest snapshot of some users lacks their last actions: publish the user\'s state after every action you apply (or at least before you commit past it).',
  'back-late': 'Your program was not back in its group in time after the restart, so the actions appended since were folded late or never: see the ready check (a killed member holds the group until its session times out; keep the session timeout short).',
  'never-snapshotted': 'Some users have no snapshot at all: publish a user\'s state to the snapshot topic, keyed by the user id, after you apply their actions.',
} as const;
type Cause = keyof typeof CAUSES;
const CAUSE_ORDER: readonly Cause[] = ['key-merges-users', 'restore-incomplete', 'lost-at-restart', 'missed-while-down', 'version-not-count', 'applied-twice', 'out-of-order', 'wrong-fold', 'back-late', 'behind', 'never-snapshotted'];

export interface RebuiltStateParams {
  /** The stream of the lab's actions, and of the snapshots it read. */
  actions: string;
  snapshots: string;
}

/** Why a user's latest snapshot differs from the fold of their history (pure). */
export function userCause(history: readonly LoggedAction[], actual: Record<string, unknown>, windows: ReturnType<typeof downWindows>): Cause {
  const userId = history[0]?.action.userId ?? '';
  const actions = history.map((h) => h.action);
  const expected = foldUser(userId, actions);
  const version = typeof actual.version === 'number' ? actual.version : -1;
  const without = (what: ReadonlySet<string>) => history.filter((h) => !windows.some((w) => what.has(w.what) && h.t >= w.from && h.t < w.to)).map((h) => h.action);
  for (const what of [new Set(['while-down']), new Set(['before-start']), new Set(['while-down', 'before-start'])]) {
    const kept = without(what);
    if (kept.length < actions.length && equalState(foldUser(userId, kept), actual)) return 'missed-while-down';
  }
  // Only after the exact windows: an action whose effect a later one hides (a plan changed
  // again) makes a shorter history fold to the same fields, and the windows say which it was.
  for (let k = 1; k < actions.length; k++) if (equalState(foldUser(userId, actions.slice(k)), actual)) return 'lost-at-restart';
  // A program that went on at the end of the log after a restart also misses what came before
  // its consumer's position was set, a little after it was back: a gap that starts while down.
  for (const w of windows.filter((x) => x.what === 'while-down')) {
    const from = history.findIndex((h) => h.t >= w.from);
    if (from <= 0) continue;
    for (let to = from + 1; to < actions.length; to++) {
      if (equalState(foldUser(userId, [...actions.slice(0, from), ...actions.slice(to)]), actual)) return 'missed-while-down';
    }
  }
  // A restored state that got the actions again from the beginning: the fold of the first k
  // actions, then all of them (removals past 0 can hide the doubled cart: the version cannot).
  for (let k = 1; k <= actions.length && version > expected.version; k++) {
    if (equalState(foldUser(userId, [...actions.slice(0, k), ...actions]), actual)) return 'applied-twice';
  }
  // Only the version differs, and not as a snapshot behind (a last action that changed no
  // field, like removing a sku not in the cart): the version holds something else.
  const onlyVersion = stateDifferences(expected, actual).every((d) => d.startsWith('version:'));
  const behindFits = version >= 0 && version < actions.length && equalState(foldUser(userId, actions.slice(0, version)), actual);
  if (onlyVersion && !behindFits) return 'version-not-count';
  if (version > expected.version) return 'applied-twice';
  const time = (a: UserAction) => Date.parse(a.occurredAt);
  const byTime = [...actions].sort((a, b) => time(a) - time(b));
  let newest = Number.NEGATIVE_INFINITY;
  const lastWriterWins = actions.filter((a) => (time(a) >= newest ? ((newest = time(a)), true) : false));
  if (equalState(foldUser(userId, byTime), actual) || equalState(foldUser(userId, lastWriterWins), actual)) return 'out-of-order';
  if (version === expected.version) return 'wrong-fold';
  return 'behind';
}

export const stateRebuilt: CheckDefinition<RebuiltStateParams> = {
  name: 'state-rebuilt',
  causes: CAUSES,
  parseParams: (raw) => ({ actions: str(raw, 'actions', 'user-actions'), snapshots: str(raw, 'snapshots', 'user-state') }),
  run(history, p) {
    const title = 'Every user\'s latest snapshot equals the fold of their whole history';
    const histories = userHistories(history, p.actions);
    const expected = `the latest ${p.snapshots} record under each user id (${histories.size} users) equals the README's fold of all their ${p.actions}, in log order, restart or not`;
    if (histories.size === 0) return { title, status: 'unknown', expected, observed: 'the lab appended no actions', examples: [] };
    const records = snapshotRecords(history, p.snapshots);
    if (records.length === 0) {
      return { title, status: 'fail', expected, observed: `no record on ${p.snapshots} at all`, examples: [], cause: 'never-snapshotted' };
    }

    // Keys that are not the user id of their value: compaction merges users under them.
    const usersByKey = new Map<string, Set<string>>();
    let keyless = 0;
    const mismatched = new Set<string>();
    for (const r of records) {
      const userId = typeof r.state?.userId === 'string' ? r.state.userId : undefined;
      if (r.key === null) {
        keyless++;
        continue;
      }
      const users = usersByKey.get(r.key) ?? new Set<string>();
      if (userId) users.add(userId);
      usersByKey.set(r.key, users);
      if (userId && userId !== r.key && mismatched.size < 5) mismatched.add(`key ${JSON.stringify(r.key)} held the state of ${userId}`);
    }
    const shared = [...usersByKey].filter(([, users]) => users.size > 1);
    if (keyless > 0 || shared.length > 0 || mismatched.size > 0) {
      const examples = [
        ...(keyless > 0 ? [`${countOf(keyless, records.length, 'snapshot')} had no key (null): compaction cannot tell users apart without one`] : []),
        ...shared.slice(0, 3).map(([key, users]) => `key ${JSON.stringify(key)} carried the states of ${users.size} users (${firstFew([...users].sort(), 4).join(', ')}${users.size > 4 ? ', ...' : ''}): compaction keeps only the last of them`),
        ...[...mismatched].slice(0, shared.length > 0 ? 2 : 5),
      ];
      return { title, status: 'fail', expected, observed: `snapshots keyed by something other than the user id: ${keyless > 0 ? 'no key' : `keys like ${JSON.stringify((shared[0] ?? [...usersByKey][0])?.[0] ?? '')}`}`, examples: firstFew(examples), cause: 'key-merges-users' };
    }

    const latest = latestByKey(records);
    const windows = downWindows(history);
    // The lab recorded that the restarted program was not back in its group in time.
    const lateBack = notReady(history).length > 0;
    const wrong: Array<{ userId: string; cause: Cause; text: string }> = [];
    for (const [userId, logged] of [...histories].sort(([a], [b]) => a.localeCompare(b))) {
      const want = foldUser(userId, logged.map((l) => l.action));
      const record = latest.get(userId);
      if (!record?.state) {
        wrong.push({ userId, cause: 'never-snapshotted', text: `${userId}: ${record ? 'its latest snapshot is not a JSON object' : 'no snapshot under this key'} (${logged.length} actions)` });
        continue;
      }
      const differences = stateDifferences(want, record.state);
      if (differences.length === 0) continue;
      const found = userCause(logged, record.state, windows);
      const cause = found === 'behind' && lateBack ? 'back-late' : found;
      wrong.push({ userId, cause, text: `${userId} (${logged.length} actions; ${CAUSE_LABEL[cause]}): ${differences.join('; ')}` });
    }
    if (wrong.length === 0) return { title, status: 'pass', expected, observed: `all ${histories.size} users' latest snapshots equal their history's fold`, examples: [] };
    const counts = new Map<Cause, number>();
    for (const w of wrong) counts.set(w.cause, (counts.get(w.cause) ?? 0) + 1);
    // The most frequent cause; ties go to the one earlier in CAUSE_ORDER.
    const top = [...CAUSE_ORDER].filter((c) => counts.has(c)).sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))[0] ?? 'wrong-fold';
    // States lost at the restart while other users' are right: a restore that read only part of the snapshots.
    const cause: Cause = top === 'lost-at-restart' && wrong.length < histories.size ? 'restore-incomplete' : top;
    if (cause !== top) for (const w of wrong) if (w.cause === top) Object.assign(w, { cause, text: w.text.replace(CAUSE_LABEL[top], CAUSE_LABEL[cause]) });
    const first = [...wrong.filter((w) => w.cause === cause), ...wrong.filter((w) => w.cause !== cause)];
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(wrong.length, histories.size, 'user')} differ from the fold of their history; ${counts.get(top)} of them ${CAUSE_LABEL[cause]}`,
      examples: firstFew(first.map((w) => w.text)),
      cause,
    };
  },
};

/** How a user's difference reads in a message. */
const CAUSE_LABEL: Record<Cause, string> = {
  'key-merges-users': 'its key was shared',
  'lost-at-restart': 'only the actions after a restart are in it',
  'missed-while-down': 'the actions appended while the program was not running are missing',
  'version-not-count': 'only version differs: it is not the count of the user\'s actions',
  'restore-incomplete': 'only the actions after a restart are in it, though other users were restored',
  'applied-twice': 'actions applied twice',
  'out-of-order': 'actions applied in another order than the log\'s',
  'wrong-fold': 'every action counted, fields wrong',
  behind: 'its last actions are missing',
  'back-late': 'its last actions are missing: the program was late back after the restart',
  'never-snapshotted': 'never snapshotted',
};
