/**
 * brokerlab solution <exercise>: the reference solution, revealed only once the exercise is
 * done in the learner's progress: seeing it first would spoil the exercise, and after solving
 * it comparing the two is where a lot of the learning happens.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import chalk from 'chalk';
import { findExercise } from '../../catalog/load.js';
import { BrokerlabError } from '../../errors.js';
import { displayPath } from '../../workspace/init.js';
import { loadProgress, statusOf } from '../../workspace/progress.js';
import { findWorkspace } from '../../workspace/workspace.js';
import { stdout } from '../output.js';
export function solutionCommand() {
    return new Command('solution')
        .description('show the reference solution of an exercise you have solved')
        .argument('<exercise>', 'exercise id (see `brokerlab list`)')
        .option('--json', 'print { path, content } as JSON')
        .option('-q, --quiet', 'only the solution itself')
        .action((exercise, options) => {
        const entry = findExercise(exercise);
        const id = entry.scenario.id;
        const status = statusOf(loadProgress(findWorkspace()), id);
        if (status !== 'done') {
            // Exit code 1 ("not solved yet"), like a failing check: a normal outcome, not a misuse.
            throw new BrokerlabError('fail', `the reference solution of ${id} unlocks once \`brokerlab check ${id}\` has passed: solve it first; \`brokerlab hint ${id}\` helps.`, status === 'attempted' ? 'You have tried already: each failed check in the report comes with a hint too.' : undefined);
        }
        const content = readFileSync(entry.referencePath, 'utf8');
        if (options.json) {
            stdout(JSON.stringify({ path: entry.referencePath, content }, null, 2));
            return;
        }
        if (options.quiet) {
            stdout(content);
            return;
        }
        const lines = [chalk.bold(`The reference solution of ${id} (${entry.scenario.title}): ${displayPath(entry.referencePath)}`), '', content];
        // The reference lives in scenarios/<id>/reference/ and imports the given code from
        // labs/<id>/; say where that code is for the learner, to make comparing easy.
        const given = new RegExp(`\\.\\./\\.\\./\\.\\./labs/${id}/([\\w./-]+)`).exec(content)?.[1];
        if (given)
            lines.push(chalk.dim(`(Its import of ../../../labs/${id}/${given} is the ./${given} next to your own file.)`));
        stdout(lines.join('\n'));
    });
}
//# sourceMappingURL=solution.js.map