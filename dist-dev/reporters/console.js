/**
 * The report a learner reads in the terminal: the verdict first, then each check with
 * expected vs observed, the first few examples and the hint. Colours follow NO_COLOR and
 * FORCE_COLOR (chalk reads FORCE_COLOR; NO_COLOR is honoured in cli/output.ts).
 */
import path from 'node:path';
import chalk from 'chalk';
const MARK = { pass: '✔', fail: '✘', unknown: '?' };
function paint(status, text) {
    switch (status) {
        case 'pass':
            return chalk.green(text);
        case 'fail':
            return chalk.red(text);
        default:
            return chalk.yellow(text);
    }
}
export function formatReport(result) {
    const lines = [];
    const heading = {
        pass: 'PASSED',
        fail: 'NOT YET',
        unknown: 'UNDECIDED',
        error: 'ERROR',
    }[result.verdict];
    lines.push('');
    lines.push(`${chalk.bold(result.title)} ${chalk.dim(`(${result.exercise})`)}  ${paint(result.verdict, chalk.bold(heading))}  ${chalk.dim(`score ${result.score.earned}/${result.score.max}, ${(result.durationMs / 1000).toFixed(1)}s`)}`);
    lines.push(chalk.dim(`graded: ${result.solution}${result.seed === undefined ? '' : `  (seed ${result.seed}: --seed ${result.seed} replays this run's schedule)`}`));
    lines.push('');
    for (const check of result.checks) {
        lines.push(`  ${paint(check.status, MARK[check.status])} ${check.title}`);
        if (check.status === 'pass')
            continue;
        lines.push(`      expected: ${check.expected}`);
        lines.push(`      observed: ${check.observed}`);
        for (const example of check.examples)
            lines.push(chalk.dim(`        - ${example}`));
        if (check.hint)
            lines.push(`      ${chalk.cyan('hint:')} ${check.hint}`);
    }
    if (result.checks.length === 0)
        lines.push(`  ${paint('unknown', '?')} ${result.summary}`);
    for (const note of result.notes)
        lines.push(chalk.yellow(`  note: ${note}`));
    lines.push('');
    const next = result.verdict === 'pass'
        ? 'Well done. Next: `brokerlab list` shows what comes after this one.'
        : result.verdict === 'fail'
            ? 'Fix the first failing check above, then grade it again.'
            : 'Run it again; if it keeps happening, `brokerlab status` shows the brokers.';
    lines.push(`  ${next}`);
    lines.push(chalk.dim(`  artifacts: ${path.relative(process.cwd(), result.runDir) || result.runDir} (history.jsonl, results.json, junit.xml, learner logs)`));
    lines.push(chalk.dim(`  report:    ${path.relative(process.cwd(), path.join(result.runDir, 'report.html'))} (\`brokerlab report\` opens the newest)`));
    lines.push('');
    return lines.join('\n');
}
//# sourceMappingURL=console.js.map