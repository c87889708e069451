/** brokerlab list: the exercises in curriculum order. */
import { Command } from 'commander';
import chalk from 'chalk';
import { loadCatalog } from '../../catalog/load.js';
import { stdout } from '../output.js';
const LEVELS = { 1: 'Foundations', 2: 'Technologies', 3: 'Advanced', 4: 'Mastery' };
export function listCommand() {
    return new Command('list')
        .description('list the exercises, week by week')
        .option('--json', 'print the list as JSON')
        .option('-q, --quiet', 'only the ids, one per line')
        .action((options) => {
        const catalog = loadCatalog();
        if (options.quiet && !options.json) {
            stdout(catalog.map((e) => e.scenario.id).join('\n'));
            return;
        }
        if (options.json) {
            stdout(JSON.stringify(catalog.map(({ scenario: s }) => ({ id: s.id, title: s.title, level: s.level, week: s.week, brokers: s.brokers, summary: s.summary })), null, 2));
            return;
        }
        let level = 0;
        const lines = [];
        for (const { scenario: s } of catalog) {
            if (s.level !== level) {
                level = s.level;
                lines.push('', chalk.bold(`Level ${level}: ${LEVELS[level] ?? ''}`));
            }
            lines.push(`  ${chalk.dim(`week ${s.week.padEnd(4)}`)} ${s.id.padEnd(28)} ${s.title} ${chalk.dim(`[${s.brokers.join(', ')}]`)}`);
        }
        lines.push('', `Grade one: ${chalk.cyan('brokerlab check <id>')}   (the reference: ${chalk.cyan('--solution reference')})`, '');
        stdout(lines.join('\n'));
    });
}
//# sourceMappingURL=list.js.map