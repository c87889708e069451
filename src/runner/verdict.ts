/**
 * From check results to one verdict.
 *
 * pass     every check passed
 * fail     at least one check failed (the learner has something to fix)
 * unknown  no check failed but at least one could not decide, or the lab lost a broker
 *          mid-run: the lab cannot say either way, and says why
 * error    the lab or the environment broke; no verdict about the learner's program
 */
import type { CheckResult } from '../checks/types.js';

export type Verdict = 'pass' | 'fail' | 'unknown' | 'error';

export function verdictOf(checks: readonly CheckResult[]): Verdict {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.length === 0 || checks.some((c) => c.status === 'unknown')) return 'unknown';
  return 'pass';
}

/** Partial credit: the weight of passed checks over the weight of all checks. */
export function scoreOf(checks: readonly CheckResult[]): { earned: number; max: number } {
  const max = checks.reduce((sum, c) => sum + c.weight, 0);
  const earned = checks.filter((c) => c.status === 'pass').reduce((sum, c) => sum + c.weight, 0);
  return { earned, max };
}
