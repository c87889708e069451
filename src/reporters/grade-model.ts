/**
 * What `brokerlab grade` knows after grading several exercises, as plain data: the one input
 * of every grade reporter (console, results.json, JUnit, GitHub annotations and job summary,
 * GitHub Classroom), so each of them is a pure function tested with literal data.
 *
 * Definitions:
 * - an exercise's max score is the sum of its scenario's check weights (default 1 each), the
 *   same in every run: a program that crashes at start is reported with one "starts" check,
 *   but it still earns 0 of the exercise's full points, not 0 of 1, so totals stay comparable
 *   between learners and between runs;
 * - earned is the weight of the checks that passed (scoreOf in runner/verdict.ts);
 * - verdict "error": brokerlab could not grade the exercise at all (an unexpected error);
 *   summary then says why.
 */
import type { CatalogEntry } from '../catalog/load.js';
import type { ExitKind } from '../cli/exit-codes.js';
import type { CheckResult } from '../checks/types.js';
import type { RunResult } from '../runner/run.js';
import type { Verdict } from '../runner/verdict.js';

export interface ExerciseOutcome {
  exercise: string;
  title: string;
  /** Curriculum week as in scenario.json ("1", "4-5"). */
  week: string;
  /** The graded file, relative to the repository root (annotations point at it). */
  file: string;
  verdict: Verdict;
  summary: string;
  checks: CheckResult[];
  score: { earned: number; max: number };
  durationMs: number;
  /** Empty when the exercise could not be graded (verdict "error"). */
  runId: string;
  runDir: string;
  /** The run's schedule seed (absent when it could not be graded). */
  seed?: number;
}

export interface GradeReport {
  /** brokerlab's version. */
  version: string;
  learner?: string;
  /** ISO time the grading finished. */
  gradedAt: string;
  exercises: ExerciseOutcome[];
  score: { earned: number; max: number };
}

/** The exercise's full points: every check of its scenario, with its weight. */
export function maxScoreOf(entry: Pick<CatalogEntry, 'scenario'>): number {
  return entry.scenario.checks.reduce((sum, check) => sum + (check.weight ?? 1), 0);
}

export function outcomeOf(entry: Pick<CatalogEntry, 'scenario'>, file: string, result: RunResult): ExerciseOutcome {
  return {
    exercise: result.exercise,
    title: result.title,
    week: entry.scenario.week,
    file,
    verdict: result.verdict,
    summary: result.summary,
    checks: result.checks,
    score: { earned: result.score.earned, max: Math.max(result.score.max, maxScoreOf(entry)) },
    durationMs: result.durationMs,
    runId: result.runId,
    runDir: result.runDir,
    ...(result.seed === undefined ? {} : { seed: result.seed }),
  };
}

/** An exercise brokerlab could not grade: no checks, no points, the reason as summary. */
export function erroredOutcome(entry: Pick<CatalogEntry, 'scenario'>, file: string, message: string, durationMs: number): ExerciseOutcome {
  return {
    exercise: entry.scenario.id,
    title: entry.scenario.title,
    week: entry.scenario.week,
    file,
    verdict: 'error',
    summary: `brokerlab could not grade it: ${message}`,
    checks: [],
    score: { earned: 0, max: maxScoreOf(entry) },
    durationMs,
    runId: '',
    runDir: '',
  };
}

export function gradeReport(exercises: ExerciseOutcome[], meta: { version: string; learner?: string | undefined; gradedAt: Date }): GradeReport {
  return {
    version: meta.version,
    ...(meta.learner ? { learner: meta.learner } : {}),
    gradedAt: meta.gradedAt.toISOString(),
    exercises,
    score: {
      earned: exercises.reduce((sum, e) => sum + e.score.earned, 0),
      max: exercises.reduce((sum, e) => sum + e.score.max, 0),
    },
  };
}

/**
 * The exit code of a grade: 1 when any exercise fails (a normal outcome: there is something
 * to fix); else, when brokerlab could not grade some exercise, that error's own code
 * (`errorKind`: 4 for a broker that went away, 70 for a bug in brokerlab); else 3 when some
 * could not be decided; else 0 (every exercise passes).
 */
export function gradeExitKind(verdicts: readonly Verdict[], errorKind: ExitKind = 'internal'): ExitKind {
  if (verdicts.some((v) => v === 'fail')) return 'fail';
  if (verdicts.some((v) => v === 'error')) return errorKind;
  if (verdicts.length === 0 || verdicts.some((v) => v !== 'pass')) return 'unknown';
  return 'pass';
}

/** Checks that need the learner's attention: failed ones first, then undecided ones. */
export function checksToReport(outcome: ExerciseOutcome): CheckResult[] {
  return [...outcome.checks.filter((c) => c.status === 'fail'), ...outcome.checks.filter((c) => c.status === 'unknown')];
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
