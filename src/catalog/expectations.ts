/**
 * What `brokerlab dev check` expects of each solution kept with an exercise, and the pure
 * judgement of one run against it.
 *
 * - the starter must fail (a learner must have something to do);
 * - the reference must pass;
 * - each wrong solution must fail, and fail on the check it is meant to trip: a wrong
 *   solution that fails for another reason proves nothing about that check.
 */
import path from 'node:path';
import type { CheckResult } from '../checks/types.js';
import type { Verdict } from '../runner/verdict.js';
import type { CatalogEntry } from './load.js';

export interface Expectation {
  /** "starter", "reference" or the wrong solution's file ("wrong/auto-ack.ts"). */
  label: string;
  file: string;
  expect: 'pass' | 'fail';
  failsChecks?: string[];
}

export function expectationsOf(entry: CatalogEntry): Expectation[] {
  return [
    { label: 'starter', file: entry.starterPath, expect: 'fail' },
    { label: 'reference', file: entry.referencePath, expect: 'pass' },
    ...entry.scenario.solutions.wrong.map((w) => ({ label: w.file, file: path.join(entry.dir, w.file), expect: 'fail' as const, failsChecks: w.failsChecks })),
  ];
}

export interface Judgement {
  ok: boolean;
  /** What happened, e.g. "fail (subscribed, no-lost-messages)". */
  got: string;
  /** Why it deviates, when it does. */
  deviation?: string;
}

export function judge(expectation: Expectation, run: { verdict: Verdict; checks: readonly Pick<CheckResult, 'name' | 'status'>[] }): Judgement {
  const failed = run.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  const got = failed.length > 0 ? `${run.verdict} (${failed.join(', ')})` : run.verdict;
  if (expectation.expect === 'pass') {
    return run.verdict === 'pass' ? { ok: true, got } : { ok: false, got, deviation: `expected pass, got ${got}` };
  }
  if (run.verdict !== 'fail') return { ok: false, got, deviation: `expected fail, got ${run.verdict}` };
  const notFailed = (expectation.failsChecks ?? []).filter((name) => !failed.includes(name));
  if (notFailed.length > 0) {
    return { ok: false, got, deviation: `expected to fail on ${notFailed.join(' and ')}, but ${notFailed.length === 1 ? 'that check' : 'those checks'} did not fail` };
  }
  return { ok: true, got };
}
