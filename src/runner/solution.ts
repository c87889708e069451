/** Which program a run grades: the learner's file (default), the reference, a path, or a command. */
import type { CatalogEntry } from '../catalog/load.js';
import { UsageError } from '../errors.js';
import { type LearnerCommand, commandForFile, commandForShell } from './learner.js';

export interface SolutionChoice {
  /** Unset: the learner's own file (`learnerFile`); "starter": the pristine starter;
   *  "reference"; or a path. */
  solution?: string;
  /** Any shell command, run in the current directory, instead of a file. */
  cmd?: string;
}

/** Whether a run grades the learner's own work (and so counts towards progress). */
export function gradesLearnerWork(choice: SolutionChoice): boolean {
  return choice.solution !== 'reference' && choice.solution !== 'starter';
}

export function resolveSolution(entry: CatalogEntry, choice: SolutionChoice, learnerFile = entry.starterPath): LearnerCommand {
  if (choice.cmd !== undefined && choice.solution !== undefined) {
    throw new UsageError('give either --solution or --cmd, not both');
  }
  if (choice.cmd !== undefined) return commandForShell(choice.cmd);
  if (choice.solution === undefined) return commandForFile(learnerFile, entry.labDir);
  if (choice.solution === 'starter') return commandForFile(entry.starterPath, entry.labDir);
  if (choice.solution === 'reference') return commandForFile(entry.referencePath, entry.labDir);
  return commandForFile(choice.solution, entry.labDir);
}
