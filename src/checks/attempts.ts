/**
 * What the delivery-guarantee checks (at-most-once.ts, at-least-once.ts) read from a history:
 * each message's attempts at the downstream service, which copy of the program made them,
 * and the kills between them.
 *
 * Definitions:
 * - attempt: a downstream call (an operation matching the check's `calls` selector) with the
 *   message's key, whatever its outcome: "ok" (done: written), "fail" (refused, e.g. a 503),
 *   "info" (cut short because the caller was killed: it may or may not have been done).
 *   Attempts are ordered by when they arrived at the service (`value.arrivedAt`, else `t`).
 * - copy: the instance that made the call (its x-instance-id). With `roles`, copy N plays
 *   roles[N-1] (its ROLE).
 * - kill: a kill-learner fault striking (a `fault` operation, phase "start", SIGKILL), with
 *   the copy it killed and when it healed (phase "heal": the copy was started again).
 * - a kill between two attempts: it struck after the first arrived and before the second did.
 */
import type { History, Operation } from '../runner/history.js';
import { faultEvents } from '../faults/events.js';
import { type Selector, select, seconds, selector, str } from './types.js';
import { callValue } from '../runner/calls.js';

export interface Attempt {
  key: string;
  /** When the call arrived at the service (ms since the run started). */
  at: number;
  outcome: Operation['outcome'];
  instance: number;
  /** The HTTP status answered, for "ok" and "fail". */
  status?: number;
  /** Why the service refused the call as malformed (a 400 it did no work for). */
  rejected?: string;
}

export interface Kill {
  t: number;
  instance?: number;
  /** When the fault healed (the copy was started again, or the lab gave up on it), if it did. */
  healedAt?: number;
}

/** Every attempt of each key, in arrival order (pure). */
export function attemptsByKey(history: History, calls: Selector): Map<string, Attempt[]> {
  const byKey = new Map<string, Attempt[]>();
  for (const op of select(history, calls)) {
    if (op.key === undefined) continue;
    const v = callValue(op);
    const attempt: Attempt = { key: op.key, at: v.arrivedAt ?? op.t, outcome: op.outcome, instance: v.instance ?? 1, ...(v.status === undefined ? {} : { status: v.status }), ...(v.rejected === undefined ? {} : { rejected: v.rejected }) };
    byKey.set(op.key, [...(byKey.get(op.key) ?? []), attempt]);
  }
  for (const list of byKey.values()) list.sort((a, b) => a.at - b.at);
  return byKey;
}

/** The lab's kills of a learner copy (pure). */
export function kills(history: History): Kill[] {
  const events = faultEvents(history);
  return events
    .filter((op) => op.value.phase === 'start' && op.value.signal === 'SIGKILL')
    .map((op) => {
      const heal = events.find((h) => h.value.phase === 'heal' && h.value.id === op.value.id && h.t >= op.t);
      return { t: op.t, ...(op.value.instance === undefined ? {} : { instance: op.value.instance }), ...(heal ? { healedAt: heal.t } : {}) };
    });
}

export function killBetween(from: number, to: number, all: readonly Kill[]): Kill | undefined {
  return all.find((k) => k.t >= from && k.t <= to);
}

/** "call at 1.9s written", "call at 5.4s refused (503)", "call at 1.9s cut short by the
 *  kill": when one attempt arrived and what it came to. */
export function describeAttempt(a: Attempt): string {
  const what = a.outcome === 'ok' ? 'written' : a.outcome === 'fail' ? `refused${a.status ? ` (${a.status})` : ''}` : 'cut short by the kill';
  return `call at ${seconds(a.at)} ${what}`;
}

/** The params both guarantee checks take. */
export interface GuaranteeParams {
  /** What one message is to the learner: "entry". */
  subject: string;
  /** The queue as the learner knows it: "AT_MOST_ONCE_QUEUE". */
  queue: string;
  /** The lab's messages on that queue. */
  sent: Selector;
  /** The downstream calls that process them. */
  calls: Selector;
  /** The role whose copy must process them ("at-most-once"). */
  role: string;
  /** Every copy's role, in instance order (scenario: "$learner.roles"). */
  roles: string[];
}

export function parseGuaranteeParams(raw: Record<string, unknown>): GuaranteeParams {
  const roles = raw.roles;
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw new Error('"roles" must be a list of role names (in scenario.json: "$learner.roles")');
  const role = str(raw, 'role');
  if (!roles.includes(role)) throw new Error(`"role" must be one of "roles" (${roles.join(', ')})`);
  return { subject: str(raw, 'subject'), queue: str(raw, 'queue'), sent: selector(raw, 'sent'), calls: selector(raw, 'calls'), role, roles: roles as string[] };
}

/** "copy 2 (ROLE=at-least-once)". */
export function copyName(instance: number, roles: readonly string[]): string {
  const role = roles[instance - 1];
  return role === undefined ? `copy ${instance} (no such copy: is x-instance-id set to INSTANCE_ID?)` : `copy ${instance} (ROLE=${role})`;
}

/** Keys among `keys` that some copy other than the role's processed, with that copy (pure). */
export function wrongCopies(keys: readonly string[], byKey: ReadonlyMap<string, Attempt[]>, p: Pick<GuaranteeParams, 'role' | 'roles'>): Array<{ key: string; instance: number }> {
  const wrong: Array<{ key: string; instance: number }> = [];
  for (const key of keys) {
    const other = (byKey.get(key) ?? []).find((a) => p.roles[a.instance - 1] !== p.role);
    if (other) wrong.push({ key, instance: other.instance });
  }
  return wrong;
}

/** Observed text for the wrong-copy cause: which copies processed the role's queue. */
export function wrongCopyObserved(wrong: ReadonlyArray<{ key: string; instance: number }>, total: number, p: Pick<GuaranteeParams, 'role' | 'roles' | 'queue' | 'subject'>): string {
  const copies = [...new Set(wrong.map((w) => w.instance))].sort((a, b) => a - b).map((i) => copyName(i, p.roles));
  return `${wrong.length} of the ${total} ${p.subject}s of ${p.queue} were written by ${copies.join(' and ')}, not by the ROLE=${p.role} copy`;
}
