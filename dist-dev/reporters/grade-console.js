/**
 * `brokerlab grade`'s terminal report: one line per exercise (verdict, score, time, title),
 * under it each failing (or undecided) check with its one-line reason and hint, then the
 * total. Short on purpose: the full report of each run is in its run directory.
 */
import chalk from 'chalk';
import { checksToReport, seconds } from './grade-model.js';
const HEADING = { pass: 'PASSED', fail: 'NOT YET', unknown: 'UNDECIDED', error: 'NOT GRADED' };
const MARK = { pass: '✔', fail: '✘', unknown: '?', error: '!' };
function paint(verdict, text) {
    if (verdict === 'pass')
        return chalk.green(text);
    if (verdict === 'fail')
        return chalk.red(text);
    return chalk.yellow(text);
}
/** `outDir`: where the results were written, as the user should read it (relative path). */
export function formatGradeReport(report, outDir) {
    const lines = [''];
    const idWidth = Math.max(...report.exercises.map((e) => e.exercise.length), 0);
    for (const e of report.exercises) {
        const score = `${e.score.earned}/${e.score.max}`;
        lines.push(`${paint(e.verdict, `${MARK[e.verdict]} ${HEADING[e.verdict].padEnd(10)}`)} ${e.exercise.padEnd(idWidth)}  ${score.padStart(5)}  ${chalk.dim(seconds(e.durationMs).padStart(6))}  ${e.title}`);
        for (const check of checksToReport(e)) {
            lines.push(`    ${paint(check.status, check.status === 'fail' ? '✘' : '?')} ${check.title}: ${check.observed}`);
            if (check.hint)
                lines.push(`      ${chalk.cyan('hint:')} ${check.hint}`);
        }
        if (e.checks.length === 0 && e.verdict !== 'pass')
            lines.push(`    ${paint('unknown', '?')} ${e.summary}`);
    }
    lines.push('');
    const count = (verdict) => report.exercises.filter((e) => e.verdict === verdict).length;
    const parts = [
        `${count('pass')} passed`,
        ...(count('fail') > 0 ? [`${count('fail')} not yet`] : []),
        ...(count('unknown') > 0 ? [`${count('unknown')} undecided`] : []),
        ...(count('error') > 0 ? [`${count('error')} not graded`] : []),
    ];
    lines.push(`${chalk.bold(`Total: ${report.score.earned}/${report.score.max}`)}  ${chalk.dim(`(${report.exercises.length} exercise${report.exercises.length === 1 ? '' : 's'}: ${parts.join(', ')})`)}`);
    const firstFailing = report.exercises.find((e) => e.verdict === 'fail');
    if (firstFailing)
        lines.push(`Fix the first failing check above; \`brokerlab check ${firstFailing.exercise}\` shows its full report.`);
    else if (report.exercises.some((e) => e.verdict !== 'pass'))
        lines.push('Grade again; if it keeps happening, `brokerlab status` shows the brokers.');
    if (outDir !== undefined)
        lines.push(chalk.dim(`results: ${outDir} (results.json, junit.xml, classroom.json); each run's artifacts stay in its run directory`));
    lines.push('');
    return lines.join('\n');
}
//# sourceMappingURL=grade-console.js.map