/**
 * `brokerlab grade`'s results.json: all graded exercises in one file, in the shape of
 * Exercism's test-runner results (version 3) as a single run's results.json (results-json.ts),
 * plus a `brokerlab` block with kind "grade". `brokerlab class report` reads it, and
 * schemas/results.schema.json describes it: change the three together.
 *
 * - one test per check, named "<exercise title>: <check title>", test_code "<exercise>/<check>";
 *   an exercise the lab could not decide or grade (no check results) is one "error" test,
 *   test_code "<exercise>/run", worth the exercise's full points;
 * - status: "pass" when every exercise passes, "fail" when any fails, else "error" (with a
 *   message saying which exercises could not be decided and why);
 * - score / max_score: the totals over the exercises (see grade-model.ts for max).
 */
import type { Verdict } from '../runner/verdict.js';
import type { ExerciseOutcome, GradeReport } from './grade-model.js';
import { type ResultsJson, toResultsJson } from './results-json.js';

type Test = ResultsJson['tests'][number];

export interface GradeResultsJson {
  version: 3;
  status: 'pass' | 'fail' | 'error';
  message?: string;
  tests: Test[];
  score: number;
  max_score: number;
  brokerlab: {
    kind: 'grade';
    version: string;
    learner?: string;
    gradedAt: string;
    exercises: Array<{
      exercise: string;
      title: string;
      week: string;
      verdict: Verdict;
      summary: string;
      score: { earned: number; max: number };
      durationMs: number;
      runId: string;
      runDir: string;
      seed?: number;
    }>;
  };
}

function testsOf(outcome: ExerciseOutcome): Test[] {
  if (outcome.checks.length === 0) {
    return [{ name: `${outcome.title}: run`, status: 'error', message: outcome.summary, test_code: `${outcome.exercise}/run`, score: 0, max_score: outcome.score.max }];
  }
  // The per-check fields (status, message, output, score) are exactly a single run's.
  const single = toResultsJson({ ...outcome, solution: outcome.file, notes: [], history: [] });
  return single.tests.map((test) => ({ ...test, name: `${outcome.title}: ${test.name}`, test_code: `${outcome.exercise}/${test.test_code}` }));
}

export function statusOf(verdicts: readonly Verdict[]): GradeResultsJson['status'] {
  if (verdicts.length > 0 && verdicts.every((v) => v === 'pass')) return 'pass';
  if (verdicts.some((v) => v === 'fail')) return 'fail';
  return 'error';
}

export function toGradeResultsJson(report: GradeReport): GradeResultsJson {
  const status = statusOf(report.exercises.map((e) => e.verdict));
  const undecided = report.exercises.filter((e) => e.verdict === 'unknown' || e.verdict === 'error');
  return {
    version: 3,
    status,
    ...(status === 'error' ? { message: undecided.map((e) => `${e.exercise}: ${e.summary}`).join('\n') || 'nothing was graded' } : {}),
    tests: report.exercises.flatMap(testsOf),
    score: report.score.earned,
    max_score: report.score.max,
    brokerlab: {
      kind: 'grade',
      version: report.version,
      ...(report.learner ? { learner: report.learner } : {}),
      gradedAt: report.gradedAt,
      exercises: report.exercises.map((e) => ({
        exercise: e.exercise,
        title: e.title,
        week: e.week,
        verdict: e.verdict,
        summary: e.summary,
        score: e.score,
        durationMs: e.durationMs,
        runId: e.runId,
        runDir: e.runDir,
        ...(e.seed === undefined ? {} : { seed: e.seed }),
      })),
    },
  };
}
