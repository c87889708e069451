/**
 * Saved progress, keyed by stable exercise ids: renaming, re-titling or reordering exercises
 * never breaks it, and ids that no longer exist are kept (and ignored) rather than dropped.
 *
 * Definitions:
 * - not started: no entry for the id, or an entry with no graded run yet (only hints seen:
 *   `brokerlab hint` records hintsShown before the first check).
 * - attempted: graded at least once, never passed.
 * - done: passed at least once (stays done even if a later run fails: the learner earned it,
 *   and the reference solution stays unlocked).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { makeDir } from '../dirs.js';
import path from 'node:path';
import type { CatalogEntry } from '../catalog/load.js';
import { UsageError } from '../errors.js';
import type { Verdict } from '../runner/verdict.js';
import type { Workspace } from './workspace.js';

export const PROGRESS_FORMAT_VERSION = 1;

export type ExerciseStatus = 'not-started' | 'attempted' | 'done';

export interface ExerciseProgress {
  status: ExerciseStatus;
  /** Graded runs so far. */
  attempts: number;
  /** Unset until the first graded run. */
  lastVerdict?: Verdict;
  /** ISO timestamps; lastRunAt is unset until the first graded run. */
  lastRunAt?: string;
  passedAt?: string;
  /** How many hints `brokerlab hint` has shown (hints are progressive). */
  hintsShown: number;
}

export interface Progress {
  formatVersion: number;
  /** The exercise the learner last worked on ("continue where I left off"). */
  current?: string;
  exercises: Record<string, ExerciseProgress>;
}

export function emptyProgress(): Progress {
  return { formatVersion: PROGRESS_FORMAT_VERSION, exercises: {} };
}

export function loadProgress(workspace: Workspace): Progress {
  let text: string;
  try {
    text = readFileSync(workspace.progressPath, 'utf8');
  } catch (error) {
    // No file yet: nothing done yet. Anything else (a folder there, no permission) is said:
    // an empty progress would silently lock solutions the learner already earned.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyProgress();
    throw new UsageError(
      `cannot read your progress file ${path.relative(process.cwd(), workspace.progressPath)}: ${(error as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a folder, not a file' : (error as Error).message}`,
      'Move what is there out of the way: brokerlab creates the file when it records your first run.',
    );
  }
  try {
    const parsed = JSON.parse(text) as Progress;
    if (parsed.formatVersion !== PROGRESS_FORMAT_VERSION || typeof parsed.exercises !== 'object' || parsed.exercises === null) {
      throw new Error(`unsupported format (formatVersion ${String(parsed.formatVersion)})`);
    }
    return parsed;
  } catch (error) {
    throw new UsageError(
      `cannot read your progress file ${path.relative(process.cwd(), workspace.progressPath)}: ${(error as Error).message}`,
      'Fix or delete the file (deleting it forgets which exercises you solved).',
    );
  }
}

/** Written atomically (temp file + rename): a crash never leaves half a progress file. */
export function saveProgress(workspace: Workspace, progress: Progress): void {
  makeDir(path.dirname(workspace.progressPath));
  const temp = `${workspace.progressPath}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(progress, null, 2)}\n`);
  renameSync(temp, workspace.progressPath);
}

export function statusOf(progress: Progress, id: string): ExerciseStatus {
  return progress.exercises[id]?.status ?? 'not-started';
}

/** Pure: the progress after one graded run. */
export function recordRun(progress: Progress, id: string, verdict: Verdict, at: Date): Progress {
  const before = progress.exercises[id];
  const passed = verdict === 'pass';
  const entry: ExerciseProgress = {
    status: passed || before?.status === 'done' ? 'done' : 'attempted',
    attempts: (before?.attempts ?? 0) + 1,
    lastVerdict: verdict,
    lastRunAt: at.toISOString(),
    hintsShown: before?.hintsShown ?? 0,
    ...(before?.passedAt ? { passedAt: before.passedAt } : passed ? { passedAt: at.toISOString() } : {}),
  };
  return { ...progress, current: id, exercises: { ...progress.exercises, [id]: entry } };
}

/** How many hints of this exercise the learner has seen. */
export function hintsShownOf(progress: Progress, id: string): number {
  return progress.exercises[id]?.hintsShown ?? 0;
}

/** Pure: the progress after `brokerlab hint` showed `hintsShown` hints in all. Status and
 *  runs are untouched: reading a hint is not an attempt. */
export function recordHintsShown(progress: Progress, id: string, hintsShown: number): Progress {
  const before = progress.exercises[id];
  const entry: ExerciseProgress = before ? { ...before, hintsShown } : { status: 'not-started', attempts: 0, hintsShown };
  return { ...progress, exercises: { ...progress.exercises, [id]: entry } };
}

/** Pure: the exercise to work on next: the current one if not done, else the first one not
 *  done in curriculum order; undefined when everything is done. */
export function nextExercise(catalog: readonly CatalogEntry[], progress: Progress): CatalogEntry | undefined {
  const current = catalog.find((e) => e.scenario.id === progress.current);
  if (current && statusOf(progress, current.scenario.id) !== 'done') return current;
  return catalog.find((e) => statusOf(progress, e.scenario.id) !== 'done');
}
