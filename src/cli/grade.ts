/**
 * Grading one exercise as the learner's commands do it (check, watch, the menu): find the
 * learner's file in the workspace, run the scenario, write the artifacts, record progress.
 */
import path from 'node:path';
import type { CatalogEntry } from '../catalog/load.js';
import { runsDir } from '../paths.js';
import { writeArtifacts } from '../reporters/artifacts.js';
import type { ResultsJson } from '../reporters/results-json.js';
import { type RunResult, runScenario } from '../runner/run.js';
import { type SolutionChoice, gradesLearnerWork, resolveSolution } from '../runner/solution.js';
import { type Progress, loadProgress, recordRun, saveProgress } from '../workspace/progress.js';
import { type Workspace, learnerFile } from '../workspace/workspace.js';
import { interruptSignal } from './interrupt.js';

export interface Graded {
  result: RunResult;
  json: ResultsJson;
}

export async function gradeExercise(
  workspace: Workspace,
  entry: CatalogEntry,
  choice: SolutionChoice,
  progress: (message: string) => void,
  seed?: number,
): Promise<Graded> {
  const command = resolveSolution(entry, choice, learnerFile(workspace, entry));
  // Read once before the run: a progress file that cannot be read is said now, not after a
  // whole run; and if the learner's program (which runs inside the workspace) breaks the file
  // while it runs, this copy is what the run is recorded in.
  const before = gradesLearnerWork(choice) ? loadProgress(workspace) : undefined;
  const result = await runScenario(entry, command, { runsDir: runsDir(workspace.root), signal: interruptSignal, progress, ...(seed === undefined ? {} : { seed }) });
  let progressNow: Progress | undefined;
  if (before && result.verdict !== 'error') {
    // Read again: another brokerlab (a hint, a parallel grading) may have recorded something meanwhile.
    try {
      progressNow = loadProgress(workspace);
    } catch {
      progressNow = before;
      result.notes.push(`your progress file ${path.relative(process.cwd(), workspace.progressPath)} was broken while the run went on (did your program write to it?); the lab restored it as it was before the run, with this run added`);
    }
  }
  const json = writeArtifacts(result);
  if (progressNow) saveProgress(workspace, recordRun(progressNow, entry.scenario.id, result.verdict, new Date()));
  return { result, json };
}
