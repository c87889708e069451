/**
 * results.json in the shape of Exercism's test-runner results (version 3), so existing
 * tooling can read it, plus partial credit per check (as GitHub Classroom's grader wants)
 * and a `brokerlab` block with the run's details.
 *
 * Exercism knows pass | fail | error. brokerlab's "unknown" (the lab could not decide) maps
 * to "error" there, and the message says the lab could not decide.
 */
import type { RunResult } from '../runner/run.js';

export interface ResultsJson {
  version: 3;
  status: 'pass' | 'fail' | 'error';
  message?: string;
  tests: Array<{
    name: string;
    status: 'pass' | 'fail' | 'error';
    message?: string;
    output?: string;
    test_code: string;
    task_id?: number;
    score: number;
    max_score: number;
  }>;
  brokerlab: {
    runId: string;
    exercise: string;
    solution: string;
    verdict: RunResult['verdict'];
    summary: string;
    score: { earned: number; max: number };
    durationMs: number;
    runDir: string;
    /** The schedule's seed: `brokerlab check <exercise> --seed N` replays it. */
    seed?: number;
    notes: string[];
  };
}

export function toResultsJson(result: RunResult): ResultsJson {
  const status = result.verdict === 'pass' ? 'pass' : result.verdict === 'fail' ? 'fail' : 'error';
  return {
    version: 3,
    status,
    ...(status === 'error' ? { message: result.summary } : {}),
    tests: result.checks.map((check) => ({
      name: check.title,
      status: check.status === 'unknown' ? 'error' : check.status,
      ...(check.status === 'pass'
        ? {}
        : { message: [`Expected: ${check.expected}.`, `Observed: ${check.observed}.`, check.hint ? `Hint: ${check.hint}` : ''].filter(Boolean).join('\n') }),
      ...(check.examples.length > 0 ? { output: check.examples.join('\n') } : {}),
      test_code: check.name,
      score: check.status === 'pass' ? check.weight : 0,
      max_score: check.weight,
    })),
    brokerlab: {
      runId: result.runId,
      exercise: result.exercise,
      solution: result.solution,
      verdict: result.verdict,
      summary: result.summary,
      score: result.score,
      durationMs: result.durationMs,
      runDir: result.runDir,
      ...(result.seed === undefined ? {} : { seed: result.seed }),
      notes: result.notes,
    },
  };
}
