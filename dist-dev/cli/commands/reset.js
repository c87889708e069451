/**
 * brokerlab reset <exercise> | --all [--yes]
 *
 * Puts an exercise's files back as they were handed out (see src/workspace/reset.ts): files
 * only, progress is kept. It overwrites the learner's work, so it asks first; without a
 * terminal to ask in it needs --yes.
 */
import path from 'node:path';
import { Command } from 'commander';
import chalk from 'chalk';
import { findExercise, loadCatalog } from '../../catalog/load.js';
import { InterruptedError, UsageError } from '../../errors.js';
import { assertResettable, changedExerciseFiles, resetExercise } from '../../workspace/reset.js';
import { findWorkspace } from '../../workspace/workspace.js';
import { stdout } from '../output.js';
function exercisesToReset(exercise, all) {
    if (all && exercise !== undefined)
        throw new UsageError('give either an exercise or --all, not both');
    if (all)
        return loadCatalog();
    if (exercise === undefined)
        throw new UsageError('which exercise? Give its id (see `brokerlab list`), or --all for every exercise.');
    return [findExercise(exercise)];
}
/** Asks on the terminal; true to go ahead. */
async function confirmed(message) {
    // Loaded here: the prompt library is only needed when there is something to confirm.
    const { confirm } = await import('@inquirer/prompts');
    try {
        return await confirm({ message, default: false });
    }
    catch (error) {
        // Ctrl-C at the prompt (the terminal is in raw mode, so no SIGINT reaches us).
        if (error instanceof Error && error.name === 'ExitPromptError')
            throw new InterruptedError('cancelled; nothing was reset');
        throw error;
    }
}
export function resetCommand() {
    return new Command('reset')
        .description("put an exercise's files back as they were handed out (your progress is kept)")
        .argument('[exercise]', 'exercise id (see `brokerlab list`)')
        .option('--all', 'reset every exercise')
        .option('-y, --yes', 'do not ask for confirmation')
        .option('--json', 'print { exercises, restored } as JSON')
        .option('-q, --quiet', 'no output unless something goes wrong')
        .action(async (exercise, options) => {
        const entries = exercisesToReset(exercise, options.all === true);
        const workspace = findWorkspace();
        assertResettable(workspace, options.all ? undefined : entries[0]);
        const ids = entries.map((e) => e.scenario.id);
        const changed = entries.flatMap((entry) => changedExerciseFiles(workspace, entry));
        const report = (restored) => {
            if (options.json)
                stdout(JSON.stringify({ exercises: ids, restored }, null, 2));
        };
        if (changed.length === 0) {
            report([]);
            if (!options.json && !options.quiet)
                stdout(`${ids.length === 1 ? `exercises/${ids[0]}/ is` : 'Every exercise is'} already as handed out; nothing to reset.`);
            return;
        }
        if (!options.yes) {
            if (!process.stdin.isTTY || !process.stdout.isTTY) {
                throw new UsageError(`reset overwrites your changes (${changed.join(', ')}) and asks first, but there is no terminal to ask in: add --yes to reset without asking`);
            }
            const what = changed.length === 1 ? changed[0] : `${changed.length} changed files (${changed.join(', ')})`;
            const subject = options.all ? 'every exercise' : ids[0];
            if (!(await confirmed(`Reset ${subject} as handed out? This overwrites ${what}.`))) {
                stdout('Nothing was reset.');
                return;
            }
        }
        for (const entry of entries)
            resetExercise(workspace, entry);
        report(changed);
        if (options.json || options.quiet)
            return;
        const lines = [`${chalk.green('✔')} Restored ${changed.length === 1 ? '1 file' : `${changed.length} files`} as handed out:`];
        for (const file of changed)
            lines.push(`  ${file}`);
        lines.push(chalk.dim(`Only files were reset: your progress is kept (a solved exercise stays solved, seen hints stay seen), and files you added to ${path.join('exercises', ids.length === 1 ? (ids[0] ?? '') : '')}/ are still there.`));
        stdout(lines.join('\n'));
    });
}
//# sourceMappingURL=reset.js.map