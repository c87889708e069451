/**
 * brokerlab init [dir] [--force] [--update] [--ci github-services|github-native|generic|none]
 *
 * Creates a learner's workspace (default ./brokerlab-workspace): every exercise copied into
 * exercises/<id>/, empty progress, package.json, tsconfig.json, README, CI files (see
 * src/workspace/ci-templates.ts for the --ci choices), and a node_modules link to brokerlab's
 * own packages. See src/workspace/init.ts.
 */
import { Command, Option } from 'commander';
import chalk from 'chalk';
import { loadCatalog } from '../../catalog/load.js';
import { CI_CHOICES, DEFAULT_CI, GENERIC_SCRIPT_PATH, GITHUB_WORKFLOW_PATH } from '../../workspace/ci-templates.js';
import { DEFAULT_WORKSPACE_DIR, displayPath, initWorkspace } from '../../workspace/init.js';
import { progressPrinter, stdout } from '../output.js';
export function initCommand() {
    return new Command('init')
        .description('create your workspace: the exercises to edit, your progress, a CI workflow')
        .argument('[dir]', 'where to create it', DEFAULT_WORKSPACE_DIR)
        .option('--force', 'create it in a folder that already has other files (brokerlab only adds files)')
        .option('--update', 'in an existing workspace: add the exercises that are new in this brokerlab')
        .addOption(new Option('--ci <kind>', 'CI files to add: GitHub Actions with the brokers as services or installed on the runner, a script for any CI (+ GitLab), or none')
        .choices(CI_CHOICES)
        .default(DEFAULT_CI))
        .option('--json', 'print { workspace, exercises } as JSON')
        .option('-q, --quiet', 'no progress lines')
        .action((dir, options) => {
        const result = initWorkspace(dir, loadCatalog(), { ...options, progress: progressPrinter(options) });
        const shown = displayPath(result.workspace.root);
        if (options.json) {
            stdout(JSON.stringify({ workspace: result.workspace.root, exercises: result.exercises, added: result.added, ci: result.updated ? undefined : options.ci, ciFiles: result.ciFiles }, null, 2));
            return;
        }
        if (options.quiet)
            return;
        if (result.updated) {
            stdout(result.added.length === 0
                ? `${shown} already has every exercise of this brokerlab; nothing to add.`
                : `Added ${result.added.length} new exercise${result.added.length === 1 ? '' : 's'} to ${shown}: ${result.added.join(', ')}.\nYour existing exercises were not touched.`);
            return;
        }
        const first = result.exercises[0] ?? '<id>';
        const check = `brokerlab check ${first}`;
        const step = (command, comment) => `  ${chalk.cyan(command.padEnd(check.length))}   ${chalk.dim(`# ${comment}`)}`;
        const lines = [
            '',
            `${chalk.green('✔')} Your brokerlab workspace is ready in ${chalk.bold(shown)}, with ${result.exercises.length} exercises.`,
            '',
            step(`cd ${shown}`, 'work from anywhere in it'),
            step('brokerlab list', 'the exercises, week by week'),
            step(check, `grade exercises/${first}/`),
            '',
        ];
        if (result.nodeModules === 'missing') {
            lines.push(`brokerlab's packages were not found next to it, so run ${chalk.cyan('npm install')} in ${shown} once before your first check.`, '');
        }
        lines.push(`Its README.md says how to work.${ciSentence(options.ci)}`);
        stdout(lines.join('\n'));
    });
}
/** The closing line's word on CI, for the --ci choice. */
function ciSentence(ci) {
    switch (ci) {
        case 'github-services':
        case 'github-native':
            return ` Push it to GitHub and ${chalk.dim(GITHUB_WORKFLOW_PATH)} grades every push.`;
        case 'generic':
            return ` In CI, ${chalk.dim(`sh ${GENERIC_SCRIPT_PATH}`)} grades it (.gitlab-ci.yml runs it in GitLab).`;
        case 'none':
            return '';
    }
}
//# sourceMappingURL=init.js.map