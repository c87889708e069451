/**
 * class-report.csv: one row per learner, one column per exercise (the points earned, empty
 * when the learner has no result for it), then the total and the most points possible. For a
 * mentor's spreadsheet or gradebook import. RFC 4180: comma-separated, CRLF line ends, a
 * field with a comma, a double quote or a line break in double quotes with its quotes doubled.
 */
import type { ClassReport } from './class-report-model.js';

/** One field, quoted only when RFC 4180 requires it. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Text that a spreadsheet would run as a formula (=, +, -, @, or a tab or CR first) gets a
 *  leading apostrophe: learner names come from folder names and results files anybody can
 *  write, and opening the CSV must not execute one (CSV injection). */
export function inertText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function toClassReportCsv(report: ClassReport): string {
  const header = ['learner', ...report.exercises.map((e) => inertText(e.id)), 'total', 'max'];
  const rows = report.learners.map((learner) => [
    inertText(learner.name),
    ...report.exercises.map((e) => learner.cells[e.id]?.score.earned ?? ''),
    learner.total.earned,
    learner.total.max,
  ]);
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
