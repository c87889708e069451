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
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ensureReachable } from '../../brokers/index.js';
import { CURRICULUM } from '../../catalog/curriculum.js';
import { findExercise, loadCatalog } from '../../catalog/load.js';
import { BrokerlabError, ExitError, InterruptedError, UsageError } from '../../errors.js';
import { annotations } from '../../reporters/github.js';
import { writeGradeArtifacts } from '../../reporters/grade-artifacts.js';
import { formatGradeReport } from '../../reporters/grade-console.js';
import { erroredOutcome, gradeExitKind, gradeReport, outcomeOf, seconds } from '../../reporters/grade-model.js';
import { runPool } from '../../runner/pool.js';
import { resolveSolution } from '../../runner/solution.js';
import { brokerlabVersion } from '../../workspace/init.js';
import { loadProgress } from '../../workspace/progress.js';
import { exerciseDir, findWorkspace, learnerFile } from '../../workspace/workspace.js';
import { runsAlone } from '../../faults/index.js';
import { gradeExercise } from '../grade.js';
import { checkSelection, exercisesOfWeek, parseWeek, startedExercises } from '../grade-select.js';
import { interruptSignal } from '../interrupt.js';
import { progressPrinter, stdout } from '../output.js';
import { parseParallel } from '../parallel.js';
import { SEED_HELP, parseSeedOption } from '../seed.js';
const DEFAULT_PARALLEL = 2;
const DEFAULT_OUT = 'brokerlab-results';
const HEADING = { pass: 'passed', fail: 'not yet', unknown: 'undecided', error: 'not graded' };
function chooseExercises(ids, options, workspace) {
    checkSelection({ ids, week: options.week, all: options.all });
    if (ids.length > 0)
        return [...new Set(ids)].map((id) => findExercise(id));
    const catalog = loadCatalog();
    if (options.all)
        return catalog;
    if (options.week !== undefined)
        return exercisesOfWeek(catalog, parseWeek(options.week, CURRICULUM));
    const started = startedExercises(catalog, loadProgress(workspace), (entry) => existsSync(exerciseDir(workspace, entry)));
    if (started.length === 0 && !options.allowEmpty) {
        throw new UsageError('nothing to grade yet: your progress lists no exercise as started.', 'Grade one first with `brokerlab check <id>` (and commit .brokerlab/progress.json in CI), or name exercises, --week N or --all.');
    }
    return started;
}
/** The file a run grades, for annotations and the Classroom result: relative to the
 *  repository (GITHUB_WORKSPACE in Actions, else the current directory). */
function gradedFile(workspace, entry, choice) {
    const absolute = choice.solution === undefined
        ? learnerFile(workspace, entry)
        : choice.solution === 'starter'
            ? entry.starterPath
            : choice.solution === 'reference'
                ? entry.referencePath
                : path.resolve(choice.solution);
    return path.relative(process.env.GITHUB_WORKSPACE || process.cwd(), absolute).split(path.sep).join('/');
}
export function gradeCommand() {
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
        .action(async (ids, options) => {
        const workspace = findWorkspace();
        const entries = chooseExercises(ids, options, workspace);
        const learner = options.learner || process.env.GITHUB_ACTOR || undefined;
        if (entries.length === 0) {
            // Only with --allow-empty: a new workspace's first push is not a failure. The empty
            // results still get written, so CI steps that keep or read them find them.
            const report = gradeReport([], { version: brokerlabVersion(), learner, gradedAt: new Date() });
            mkdirSync(path.resolve(options.out), { recursive: true });
            const json = writeGradeArtifacts(report, path.resolve(options.out));
            stdout(options.json ? JSON.stringify(json, null, 2) : 'Nothing to grade yet: your progress lists no exercise as started. Start one with `brokerlab check <id>` and commit .brokerlab/progress.json.');
            return;
        }
        const choice = options.solution === undefined ? {} : { solution: options.solution };
        if (choice.solution !== undefined && choice.solution !== 'reference' && choice.solution !== 'starter' && entries.length > 1) {
            throw new UsageError(`--solution ${choice.solution} is one file, for one exercise; name that exercise alone (${entries.length} are selected).`);
        }
        // Everything that can be wrong before grading is said before grading: a missing file,
        // a broker that is down, an out directory that cannot be made.
        for (const entry of entries)
            resolveSolution(entry, choice, learnerFile(workspace, entry));
        await ensureReachable([...new Set(entries.flatMap((entry) => entry.scenario.brokers))]);
        const outDir = path.resolve(options.out);
        try {
            mkdirSync(outDir, { recursive: true });
        }
        catch (error) {
            throw new UsageError(`cannot create the --out directory ${options.out}: ${error.message}`);
        }
        const printer = progressPrinter(options);
        const errors = [];
        const outcomes = await runPool(entries, options.parallel, async (entry) => {
            // Runs go side by side, so every progress line says whose it is.
            const say = (message) => printer(`[${entry.scenario.id}] ${message}`);
            const file = gradedFile(workspace, entry, choice);
            const started = Date.now();
            try {
                const { result } = await gradeExercise(workspace, entry, choice, say, options.seed);
                const outcome = outcomeOf(entry, file, result);
                say(`${HEADING[outcome.verdict]}, ${outcome.score.earned}/${outcome.score.max} in ${seconds(outcome.durationMs)}`);
                return outcome;
            }
            catch (error) {
                if (error instanceof InterruptedError || interruptSignal.aborted)
                    throw error;
                // One exercise that cannot be graded must not cost the others their grade: it is
                // reported (and decides the exit code unless another one fails).
                const known = error instanceof BrokerlabError;
                const message = known ? error.message : `internal error, this is a bug in brokerlab: ${error?.message ?? String(error)}`;
                if (!known && process.env.BROKERLAB_DEBUG)
                    process.stderr.write(`${error?.stack ?? String(error)}\n`);
                errors.push({ kind: known ? error.kind : 'internal', message: `${entry.scenario.id}: ${message}` });
                say(`could not grade it: ${message}`);
                return erroredOutcome(entry, file, message, Date.now() - started);
            }
        }, interruptSignal, (entry) => runsAlone(entry.scenario.faults));
        const report = gradeReport(outcomes, { version: brokerlabVersion(), learner, gradedAt: new Date() });
        const json = writeGradeArtifacts(report, outDir);
        stdout(options.json ? JSON.stringify(json, null, 2) : formatGradeReport(report, path.relative(process.cwd(), outDir) || '.'));
        if (process.env.GITHUB_ACTIONS === 'true') {
            // GitHub reads workflow commands from both streams; with --json, stdout stays JSON.
            const lines = annotations(report);
            if (lines.length > 0)
                (options.json ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);
        }
        const verdicts = outcomes.map((o) => o.verdict);
        const kind = gradeExitKind(verdicts, errors[0]?.kind);
        if (kind === 'pass')
            return;
        // When an exercise that could not be graded decides the exit code, say why on stderr.
        const [error] = errors;
        throw new ExitError(kind, error && !verdicts.includes('fail') ? error.message : '');
    });
}
//# sourceMappingURL=grade.js.map