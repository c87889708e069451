/**
 * Grading one exercise as the learner's commands do it (check, watch, the menu): find the
 * learner's file in the workspace, run the scenario, write the artifacts, record progress.
 */
import type { CatalogEntry } from '../catalog/load.js';
import { runsDir } from '../paths.js';
import { writeArtifacts } from '../reporters/artifacts.js';
import type { ResultsJson } from '../reporters/results-json.js';
import { type RunResult, runScenario } from '../runner/run.js';
import { type SolutionChoice, gradesLearnerWork, resolveSolution } from '../runner/solution.js';
import { loadProgress, recordRun, saveProgress } from '../workspace/progress.js';
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
  const result = await runScenario(entry, command, { runsDir: runsDir(workspace.root), signal: interruptSignal, progress, ...(seed === undefined ? {} : { seed }) });
  const json = writeArtifacts(result);
  if (gradesLearnerWork(choice) && result.verdict !== 'error') {
    saveProgress(workspace, recordRun(loadProgress(workspace), entry.scenario.id, result.verdict, new Date()));
  }
  return { result, json };
}
