/**
 * brokerlab hint <exercise>: the next hint of an exercise, with the ones already shown.
 * Hints are progressive and remembered (see src/workspace/hints.ts).
 */
import { Command } from 'commander';
import chalk from 'chalk';
import { findExercise } from '../../catalog/load.js';
import { showNextHint } from '../../workspace/hints.js';
import { findWorkspace } from '../../workspace/workspace.js';
import { stdout } from '../output.js';
/** "2. text", continuation lines indented under the text. */
function numbered(hint, index) {
    const prefix = `${index + 1}. `;
    return `  ${prefix}${hint.split('\n').join(`\n  ${' '.repeat(prefix.length)}`)}`;
}
export function hintCommand() {
    return new Command('hint')
        .description('show the next hint for an exercise (and the ones you have seen)')
        .argument('<exercise>', 'exercise id (see `brokerlab list`)')
        .option('--json', 'print { exercise, hints, shown, total, newlyShown } as JSON')
        .option('-q, --quiet', 'only the newest hint')
        .action((exercise, options) => {
        const entry = findExercise(exercise);
        const id = entry.scenario.id;
        const result = showNextHint(findWorkspace(), entry);
        if (options.json) {
            stdout(JSON.stringify({ exercise: id, ...result }, null, 2));
            return;
        }
        const check = chalk.cyan(`brokerlab check ${id}`);
        if (result.total === 0) {
            stdout(`${id} has no hints yet. Its README.md says what is graded, and ${check} gives a hint for every check that fails.`);
            return;
        }
        if (options.quiet) {
            stdout(result.hints[result.shown - 1] ?? '');
            return;
        }
        const lines = ['', chalk.bold(`Hint ${result.shown} of ${result.total} for ${id} (${entry.scenario.title})`), ''];
        result.hints.forEach((hint, i) => {
            const isNew = result.newlyShown && i === result.shown - 1;
            lines.push(isNew ? chalk.bold(numbered(hint, i)) : chalk.dim(numbered(hint, i)), '');
        });
        const left = result.total - result.shown;
        if (!result.newlyShown) {
            lines.push(`You have seen all ${result.total} hints. Try your change with ${check}: its report says what is still wrong.`);
        }
        else if (left === 0) {
            lines.push(`That was the last hint. Now try it: ${check}`);
        }
        else {
            lines.push(`Stuck again? ${chalk.cyan(`brokerlab hint ${id}`)} shows the next one (${left} left). Try it first: ${check}`);
        }
        stdout(lines.join('\n'));
    });
}
//# sourceMappingURL=hint.js.map