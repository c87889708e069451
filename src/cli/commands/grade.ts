/**
 * brokerlab grade [exercise...] [--week N] [--all] [--solution starter|reference|<path>]
 *                 [--parallel N] [--out DIR] [--learner NAME] [--json] [--quiet]
 *
 * For CI (and teachers): grades several exercises without ever asking anything, two at a
 * time by default, and writes one combined result: results.json (Exercism v3 shape, partial
 * credit, read by `brokerlab class report`), junit.xml, and GitHub Classroom's grader result;
 * in GitHub Actions also annotations on the learner's files and a job summary.
 *
 * Which exercises: the ids given, or --week N, or --all; by default the ones the progress
 * file lists as started (see cli/grade-select.ts). Exit code: 0 every exercise passes, 1 one
 * fails, 3 none fails but one could not be decided (see gradeExitKind).
 */
import { existsSync } from 'node:fs';
import { makeDir } from '../../dirs.js';
import path from 'node:path';
import { Command } from 'commander';
import { ensureReachable } from '../../brokers/index.js';
import { CURRICULUM } from '../../catalog/curriculum.js';
import { type CatalogEntry, findExercise, loadCatalog } from '../../catalog/load.js';
import { ExitError, InterruptedError, UsageError, asBrokerlabError } from '../../errors.js';
import { annotations } from '../../reporters/github.js';
import { writeGradeArtifacts } from '../../reporters/grade-artifacts.js';
import { formatGradeReport } from '../../reporters/grade-console.js';
import { type ExerciseOutcome, erroredOutcome, gradeExitKind, gradeReport, outcomeOf, seconds } from '../../reporters/grade-model.js';
import { runPool } from '../../runner/pool.js';
import { type SolutionChoice, resolveSolution } from '../../runner/solution.js';
import { brokerlabVersion } from '../../workspace/init.js';
import { loadProgress } from '../../workspace/progress.js';
import { type Workspace, exerciseDir, findWorkspace, learnerFile } from '../../workspace/workspace.js';
import type { ExitKind } from '../exit-codes.js';
import { runClaim } from '../../faults/index.js';
import { gradeExercise } from '../grade.js';
import { checkSelection, exercisesOfWeek, parseWeek, startedExercises } from '../grade-select.js';
import { interruptSignal } from '../interrupt.js';
import { progressPrinter, stdout } from '../output.js';
import { parseParallel } from '../parallel.js';
import { SEED_HELP, parseSeedOption } from '../seed.js';

interface GradeOptions {
  week?: string;
  all?: boolean;
  solution?: string;
  parallel: number;
  seed?: number;
  out: string;
  learner?: string;
  allowEmpty?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const DEFAULT_PARALLEL = 2;
const DEFAULT_OUT = 'brokerlab-results';
const HEADING: Record<ExerciseOutcome['verdict'], string> = { pass: 'passed', fail: 'not yet', unknown: 'undecided', error: 'not graded' };

function chooseExercises(ids: string[], options: GradeOptions, workspace: Workspace): CatalogEntry[] {
  checkSelection({ ids, week: options.week, all: options.all });
  if (ids.length > 0) return [...new Set(ids)].map((id) => findExercise(id));
  const catalog = loadCatalog();
  if (options.all) return catalog;
  if (options.week !== undefined) return exercisesOfWeek(catalog, parseWeek(options.week, CURRICULUM));
  const started = startedExercises(catalog, loadProgress(workspace), (entry) => existsSync(exerciseDir(workspace, entry)));
  if (started.length === 0 && !options.allowEmpty) {
    throw new UsageError(
      'nothing to grade yet: your progress lists no exercise as started.',
      'Grade one first with `brokerlab check <id>` (and commit .brokerlab/progress.json in CI), or name exercises, --week N or --all.',
    );
  }
  return started;
}

/** The file a run grades, for annotations and the Classroom result: relative to the
 *  repository (GITHUB_WORKSPACE in Actions, else the current directory). */
function gradedFile(workspace: Workspace, entry: CatalogEntry, choice: SolutionChoice): string {
  const absolute =
    choice.solution === undefined
      ? learnerFile(workspace, entry)
      : choice.solution === 'starter'
        ? entry.starterPath
        : choice.solution === 'reference'
          ? entry.referencePath
          : path.resolve(choice.solution);
  return path.relative(process.env.GITHUB_WORKSPACE || process.cwd(), absolute).split(path.sep).join('/');
}

export function gradeCommand(): Command {
  return new Command('grade')
    .description('grade several exercises for CI, with partial credit: results.json, JUnit XML, GitHub annotations and Classroom result')
    .argument('[exercise...]', 'exercise ids (default: the exercises your progress lists as started)')
    .option('--week <n>', 'the graded exercises of week n of the plan')
    .option('--all', 'every graded exercise')
    .option('--solution <which>', 'grade "reference", "starter" (the untouched starter) or a file (one exercise) instead of your files')
    .option('--parallel <n>', `how many exercises to grade at the same time (1 to 8)`, parseParallel, DEFAULT_PARALLEL)
    .option('--seed <n>', SEED_HELP, parseSeedOption)
    .option('--out <dir>', 'where to write results.json, junit.xml, classroom.json and classroom.b64', DEFAULT_OUT)
    .option('--learner <name>', 'the learner\'s name in the results (default: $GITHUB_ACTOR)')
    .option('--allow-empty', 'when your progress lists no exercise as started, say so and succeed (for CI on a new workspace)')
    .option('--json', 'print the combined results.json instead of the report')
    .option('-q, --quiet', 'no progress lines')
    .action(async (ids: string[], options: GradeOptions) => {
      const workspace = findWorkspace();
      const entries = chooseExercises(ids, options, workspace);
      const learner = options.learner || process.env.GITHUB_ACTOR || undefined;
      if (entries.length === 0) {
        // Only with --allow-empty: a new workspace's first push is not a failure. The empty
        // results still get written, so CI steps that keep or read them find them.
        const report = gradeReport([], { version: brokerlabVersion(), learner, gradedAt: new Date() });
        makeDir(path.resolve(options.out));
        const json = writeGradeArtifacts(report, path.resolve(options.out));
        stdout(options.json ? JSON.stringify(json, null, 2) : 'Nothing to grade yet: your progress lists no exercise as started. Start one with `brokerlab check <id>` and commit .brokerlab/progress.json.');
        return;
      }
      const choice: SolutionChoice = options.solution === undefined ? {} : { solution: options.solution };
      if (choice.solution !== undefined && choice.solution !== 'reference' && choice.solution !== 'starter' && entries.length > 1) {
        throw new UsageError(`--solution ${choice.solution} is one file, for one exercise; name that exercise alone (${entries.length} are selected).`);
      }
      // Everything that can be wrong before grading is said before grading: a missing file,
      // a broker that is down, an out directory that cannot be made.
      for (const entry of entries) resolveSolution(entry, choice, learnerFile(workspace, entry));
      await ensureReachable([...new Set(entries.flatMap((entry) => entry.scenario.brokers))]);
      const outDir = path.resolve(options.out);
      makeDir(outDir);

      const printer = progressPrinter(options);
      const errors: Array<{ kind: ExitKind; message: string }> = [];
      const outcomes = await runPool(
        entries,
        options.parallel,
        async (entry) => {
          // Runs go side by side, so every progress line says whose it is.
          const say = (message: string) => printer(`[${entry.scenario.id}] ${message}`);
          const file = gradedFile(workspace, entry, choice);
          const started = Date.now();
          try {
            const { result } = await gradeExercise(workspace, entry, choice, say, options.seed);
            const outcome = outcomeOf(entry, file, result);
            say(`${HEADING[outcome.verdict]}, ${outcome.score.earned}/${outcome.score.max} in ${seconds(outcome.durationMs)}`);
            return outcome;
          } catch (error) {
            if (error instanceof InterruptedError || interruptSignal.aborted) throw error;
            // One exercise that cannot be graded must not cost the others their grade: it is
            // reported (and decides the exit code unless another one fails).
            const known = asBrokerlabError(error);
            const message = known ? known.message : `internal error, this is a bug in brokerlab: ${(error as Error)?.message ?? String(error)}`;
            if (!known && process.env.BROKERLAB_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
            errors.push({ kind: known ? known.kind : 'internal', message: `${entry.scenario.id}: ${message}` });
            say(`could not grade it: ${message}`);
            return erroredOutcome(entry, file, message, Date.now() - started);
          }
        },
        interruptSignal,
        (entry) => runClaim(entry.scenario),
      );

      const report = gradeReport(outcomes, { version: brokerlabVersion(), learner, gradedAt: new Date() });
      const json = writeGradeArtifacts(report, outDir);
      stdout(options.json ? JSON.stringify(json, null, 2) : formatGradeReport(report, path.relative(process.cwd(), outDir) || '.'));
      if (process.env.GITHUB_ACTIONS === 'true') {
        // GitHub reads workflow commands from both streams; with --json, stdout stays JSON.
        const lines = annotations(report);
        if (lines.length > 0) (options.json ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);
      }

      const verdicts = outcomes.map((o) => o.verdict);
      const kind = gradeExitKind(verdicts, errors[0]?.kind);
      if (kind === 'pass') return;
      // When an exercise that could not be graded decides the exit code, say why on stderr.
      const [error] = errors;
      throw new ExitError(kind, error && !verdicts.includes('fail') ? error.message : '');
    });
}
