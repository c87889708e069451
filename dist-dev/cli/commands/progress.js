/**
 * brokerlab progress: the 14-week plan as a checklist (done ✔, attempted ◐, not started ○,
 * planned exercises dimmed as "coming later"), then what to do next and the total.
 */
import { Command } from 'commander';
import chalk from 'chalk';
import { loadCatalog } from '../../catalog/load.js';
import { displayPath } from '../../workspace/init.js';
import { planWithProgress } from '../../workspace/plan.js';
import { loadProgress } from '../../workspace/progress.js';
import { findWorkspace } from '../../workspace/workspace.js';
import { stdout } from '../output.js';
function topicLine(topic, idWidth) {
    if (topic.status === 'planned')
        return chalk.dim(`    ○ ${topic.title}  (coming later)`);
    const title = `${topic.id.padEnd(idWidth)}  ${topic.title}`;
    switch (topic.status) {
        case 'done':
            return `    ${chalk.green('✔')} ${title}`;
        case 'attempted': {
            const attempts = `${topic.attempts} ${topic.attempts === 1 ? 'attempt' : 'attempts'}`;
            return `    ${chalk.yellow('◐')} ${title}  ${chalk.dim(`(${attempts}, not passed yet)`)}`;
        }
        case 'not-started':
            return `    ○ ${title}`;
    }
}
/** "Next: ..." and "1 of 3 graded exercises done". */
function summaryLines(plan) {
    const next = plan.next
        ? `Next: ${chalk.cyan(`brokerlab check ${plan.next.id}`)}  (${plan.next.title})`
        : `${chalk.green('All graded exercises are done.')} More are coming: the dimmed lines above.`;
    return [next, `${plan.done} of ${plan.total} graded exercises done`];
}
export function progressCommand() {
    return new Command('progress')
        .description('your progress through the 14-week plan, and what to do next')
        .option('--json', 'print the plan with a status per exercise as JSON')
        .option('-q, --quiet', 'only what to do next and the total')
        .action((options) => {
        const workspace = findWorkspace();
        const plan = planWithProgress(loadCatalog(), loadProgress(workspace));
        if (options.json) {
            stdout(JSON.stringify({ workspace: workspace.root, ...plan, next: plan.next ?? null }, null, 2));
            return;
        }
        if (options.quiet) {
            stdout(summaryLines(plan).join('\n'));
            return;
        }
        const idWidth = Math.max(0, ...plan.levels.flatMap((l) => l.weeks.flatMap((w) => w.topics.map((t) => ('id' in t ? t.id.length : 0)))));
        const shown = displayPath(workspace.root);
        const where = workspace.initialised ? (shown === '.' ? 'this workspace' : `workspace ${shown}`) : `brokerlab's own labs/ (no workspace; \`brokerlab init\` makes one)`;
        const lines = ['', `${chalk.bold('Your progress')} ${chalk.dim(`(${where})`)}`];
        for (const level of plan.levels) {
            lines.push('', chalk.bold(`Level ${level.level}${level.name ? `: ${level.name}` : ''}`));
            for (const week of level.weeks) {
                lines.push(`  ${chalk.dim(`week ${week.week}`)}`);
                for (const topic of week.topics)
                    lines.push(topicLine(topic, idWidth));
            }
        }
        lines.push('', ...summaryLines(plan), '');
        stdout(lines.join('\n'));
    });
}
//# sourceMappingURL=progress.js.map