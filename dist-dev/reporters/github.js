/**
 * GitHub Actions output of `brokerlab grade` (only when GITHUB_ACTIONS=true):
 *
 * - workflow-command annotations, one line each, shown on the learner's file in the run and
 *   the pull request: `::error` per failing check, `::warning` per check (or exercise) the
 *   lab could not decide or grade;
 * - a markdown job summary (appended to the file GITHUB_STEP_SUMMARY names): a table of the
 *   exercises with verdict and score, then the failing checks with their hints.
 *
 * Escaping follows GitHub's toolkit (@actions/core's command.ts): in the message `%`, `\r`,
 * `\n` become %25, %0D, %0A; in a property value also `:` and `,` become %3A and %2C.
 */
import { checksToReport, seconds } from './grade-model.js';
export function escapeData(text) {
    return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
export function escapeProperty(text) {
    return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
export function workflowCommand(command, properties, message) {
    const props = Object.entries(properties)
        .filter(([, value]) => value !== '')
        .map(([key, value]) => `${key}=${escapeProperty(value)}`)
        .join(',');
    return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}
function checkMessage(check) {
    return [`${check.observed}.`, `Expected: ${check.expected}.`, check.hint ? `Hint: ${check.hint}` : ''].filter(Boolean).join('\n');
}
/** The annotation lines, in report order. `file` is already relative to the repository. */
export function annotations(report) {
    const lines = [];
    for (const outcome of report.exercises) {
        for (const check of checksToReport(outcome)) {
            lines.push(workflowCommand(check.status === 'fail' ? 'error' : 'warning', { file: outcome.file, title: `${outcome.title}: ${check.title}` }, checkMessage(check)));
        }
        // No check results at all: the lab could not decide or grade the exercise; say why.
        if (outcome.checks.length === 0 && outcome.verdict !== 'pass') {
            lines.push(workflowCommand('warning', { file: outcome.file, title: `${outcome.title}: not graded` }, outcome.summary));
        }
    }
    return lines;
}
const VERDICT_CELL = {
    pass: '✅ passed',
    fail: '❌ not yet',
    unknown: '⚠️ undecided',
    error: '⚠️ not graded',
};
/** Markdown table cells must not break the row: pipes escaped, newlines as spaces. */
function cell(text) {
    return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
export function stepSummary(report) {
    const lines = [];
    lines.push(`## brokerlab grade: ${report.score.earned}/${report.score.max}${report.learner ? ` for ${cell(report.learner)}` : ''}`);
    lines.push('');
    lines.push('| Exercise | Week | Verdict | Score | Time |');
    lines.push('|---|---|---|---|---|');
    for (const e of report.exercises) {
        lines.push(`| ${cell(e.title)} (\`${e.exercise}\`) | ${cell(e.week)} | ${VERDICT_CELL[e.verdict]} | ${e.score.earned}/${e.score.max} | ${seconds(e.durationMs)} |`);
    }
    lines.push(`| **Total** | | | **${report.score.earned}/${report.score.max}** | |`);
    const attention = report.exercises.filter((e) => checksToReport(e).length > 0 || (e.checks.length === 0 && e.verdict !== 'pass'));
    if (attention.length > 0) {
        lines.push('');
        lines.push('### What to look at');
        for (const e of attention) {
            lines.push('');
            lines.push(`**${cell(e.title)}** (\`${e.file}\`)`);
            lines.push('');
            for (const check of checksToReport(e)) {
                lines.push(`- ${check.status === 'fail' ? '❌' : '⚠️'} **${cell(check.title)}**: ${cell(check.observed)} (expected: ${cell(check.expected)})`);
                if (check.hint)
                    lines.push(`  - Hint: ${cell(check.hint)}`);
            }
            if (e.checks.length === 0)
                lines.push(`- ⚠️ ${cell(e.summary)}`);
        }
    }
    lines.push('');
    return lines.join('\n');
}
//# sourceMappingURL=github.js.map