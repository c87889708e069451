/** One field, quoted only when RFC 4180 requires it. */
export function csvField(value) {
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
/** Text that a spreadsheet would run as a formula (=, +, -, @, or a tab or CR first) gets a
 *  leading apostrophe: learner names come from folder names and results files anybody can
 *  write, and opening the CSV must not execute one (CSV injection). */
export function inertText(text) {
    return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
export function toClassReportCsv(report) {
    const header = ['learner', ...report.exercises.map((e) => inertText(e.id)), 'total', 'max'];
    const rows = report.learners.map((learner) => [
        inertText(learner.name),
        ...report.exercises.map((e) => learner.cells[e.id]?.score.earned ?? ''),
        learner.total.earned,
        learner.total.max,
    ]);
    return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
//# sourceMappingURL=class-report-csv.js.map