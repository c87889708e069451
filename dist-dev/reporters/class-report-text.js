/**
 * The class report on the console: a compact learners × exercises grid (a mark and the score
 * per cell, so it reads without colour) and the checks most learners are stuck on. The full
 * picture is in class-report.html; this is the glance a mentor gets in the terminal.
 */
import { CELL } from './class-report-html.js';
/** How many stuck checks the console lists (the HTML lists them all). */
export const CONSOLE_STUCK = 5;
function pad(text, width) {
    return text + ' '.repeat(Math.max(0, width - [...text].length));
}
function clip(text, width) {
    const chars = [...text];
    return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}
export function toClassReportText(report) {
    const header = ['learner', ...report.exercises.map((e) => e.id), 'total'];
    const rows = report.learners.map((l) => [
        clip(l.name, 24),
        ...report.exercises.map((e) => {
            const cell = l.cells[e.id];
            return cell ? `${CELL[cell.verdict].mark} ${cell.score.earned}/${cell.score.max}` : CELL.none.mark;
        }),
        `${l.total.earned}/${l.total.max}`,
    ]);
    const footer = ['passed', ...report.exercises.map((e) => `${e.passed}/${report.learners.length}`), ''];
    const table = [header, ...rows, footer];
    const widths = header.map((_, i) => Math.max(...table.map((row) => [...(row[i] ?? '')].length)));
    const line = (row) => row.map((cell, i) => pad(cell, widths[i] ?? 0)).join('  ').trimEnd();
    const lines = [
        `Class report: ${report.learners.length} learner${report.learners.length === 1 ? '' : 's'}, ${report.exercises.length} exercise${report.exercises.length === 1 ? '' : 's'}`,
        '',
        ...table.map(line),
        '',
    ];
    if (report.stuck.length === 0) {
        lines.push('Where the class is stuck: nowhere, no learner fails any check.');
    }
    else {
        lines.push('Where the class is stuck:');
        for (const s of report.stuck.slice(0, CONSOLE_STUCK)) {
            lines.push(`  ${s.failing.length}/${s.submitted}  ${s.exercise} › ${s.title} (${s.check})`);
            if (s.hint)
                lines.push(`        ${clip(s.hint.replace(/\s+/g, ' '), 110)}`);
        }
        if (report.stuck.length > CONSOLE_STUCK)
            lines.push(`  … and ${report.stuck.length - CONSOLE_STUCK} more in class-report.html`);
    }
    return lines.join('\n');
}
//# sourceMappingURL=class-report-text.js.map