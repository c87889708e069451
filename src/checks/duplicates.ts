/**
 * no-duplicates
 *
 * Definitions:
 * - delivery: an operation matching `delivered` with outcome "ok".
 * - duplicate: a key with more than one delivery. Use this check only where the contract
 *   promises exactly one delivery per message (Pub/Sub fan-in, idempotent consumers); an
 *   at-least-once consumer may legitimately deliver twice after a crash.
 * Nothing delivered at all is not a pass: there was nothing to judge (and no partial credit
 * for it); the checks about what was lost say what went wrong.
 */
import {
  type CheckDefinition,
  type Selector,
  countOf,
  firstFew,
  select,
  selector,
  str,
} from './types.js';

export interface DuplicatesParams {
  subject: string;
  delivered: Selector;
}

export const noDuplicates: CheckDefinition<DuplicatesParams> = {
  name: 'no-duplicates',
  parseParams: (raw) => ({ subject: str(raw, 'subject'), delivered: selector(raw, 'delivered') }),
  run(history, p) {
    const counts = new Map<string, number>();
    for (const op of select(history, p.delivered, 'ok')) {
      const key = op.key ?? '(no key)';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const duplicated = [...counts].filter(([, n]) => n > 1);
    const title = `Each ${p.subject} arrives once`;
    const expected = `each ${p.subject} is delivered exactly once`;
    if (counts.size === 0) {
      return { title, status: 'unknown', expected, observed: `no ${p.subject} arrived in a form the lab could read, so duplicates could not be judged: see the other checks`, examples: [] };
    }
    if (duplicated.length === 0) {
      return { title, status: 'pass', expected, observed: `${counts.size} distinct, no duplicates`, examples: [] };
    }
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(duplicated.length, counts.size, p.subject)} arrived more than once`,
      examples: firstFew(duplicated).map(([key, n]) => `${key} arrived ${n} times`),
    };
  },
};

export interface RedeliveryParams {
  subject: string;
  delivered: Selector;
  /** How long before the first fault a message may have been processed and still be
   *  processed again after it (its offset or ack had not reached the broker yet). */
  windowMs: number;
}

export const REDELIVERY_CAUSES = {
  'uncommitted-progress':
    'Messages processed long before the crash were processed again after it: what your program had done was not recorded in the broker (offsets committed only at shutdown, or kept in memory), so a survivor started over. Commit as you go, within a second or so of the work.',
  'duplicates-without-crash': 'Messages were processed twice before any crash: your program repeats work that had succeeded (a retry that redoes a whole batch, a handler bound twice, the wrong message processed).',
} as const;

/**
 * duplicates-only-after-crash
 *
 * At-least-once allows a message to be processed again after a crash, but only what the
 * crashed copy had processed and not yet acknowledged or committed: the last moments' work.
 *
 * Definitions:
 * - duplicate: a key with more than one `delivered` (ok) operation.
 * - excused: processed again after the first fault (a hold or a kill), and first processed
 *   at most `windowMs` before it, or after it.
 * - without a crash: processed again before any fault (a retry that repeats finished work,
 *   the wrong message processed).
 * Passes when every duplicate is excused; the number of excused ones is reported.
 */
export const duplicatesOnlyAfterCrash: CheckDefinition<RedeliveryParams> = {
  name: 'duplicates-only-after-crash',
  causes: REDELIVERY_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), delivered: selector(raw, 'delivered'), windowMs: typeof raw.windowMs === 'number' ? raw.windowMs : 2_000 }),
  run(history, p) {
    const title = `Processes a ${p.subject} again only when a crash left it unconfirmed`;
    const expected = `after a crash, only ${p.subject}s processed in the last ${p.windowMs / 1000}s before it are processed again`;
    const fault = history.find((op) => op.kind === 'fault');
    const times = new Map<string, number[]>();
    for (const op of select(history, p.delivered, 'ok')) times.set(op.key ?? '', [...(times.get(op.key ?? '') ?? []), op.t]);
    const duplicated = [...times].filter(([, at]) => at.length > 1).map(([key, at]) => ({ key, n: at.length, first: at[0] ?? 0, second: at[1] ?? 0 }));
    // Before the crash nothing excuses a repeat; after it, only what was first done in its last moments.
    const withoutCrash = duplicated.filter((d) => fault === undefined || d.second < fault.t);
    const stale = duplicated.filter((d) => fault !== undefined && d.second >= fault.t && d.first < fault.t - p.windowMs);
    if (withoutCrash.length === 0 && stale.length === 0) {
      return { title, status: 'pass', expected, observed: duplicated.length === 0 ? 'no duplicates' : `${duplicated.length} processed again after the crash, all from its last moments`, examples: [] };
    }
    const cause = withoutCrash.length >= stale.length ? 'duplicates-without-crash' : 'uncommitted-progress';
    const observed =
      cause === 'duplicates-without-crash'
        ? `${countOf(withoutCrash.length, times.size, p.subject)} ${withoutCrash.length === 1 ? 'was' : 'were'} processed twice before any crash${stale.length > 0 ? `, and ${stale.length} again after the crash though first processed more than ${p.windowMs / 1000}s before it` : ''}`
        : `${countOf(stale.length, times.size, p.subject)} ${stale.length === 1 ? 'was' : 'were'} processed again after the crash at ${((fault?.t ?? 0) / 1000).toFixed(1)}s, though first processed more than ${p.windowMs / 1000}s before it`;
    const shown = cause === 'duplicates-without-crash' ? [...withoutCrash, ...stale] : [...stale, ...withoutCrash];
    return {
      title,
      status: 'fail',
      expected,
      observed,
      examples: firstFew(shown).map((d) => `${d.key}: processed ${d.n} times, first at ${(d.first / 1000).toFixed(1)}s, again at ${(d.second / 1000).toFixed(1)}s`),
      cause,
    };
  },
};
