import { escapeXml, junitTestsuite, suiteCounts } from './junit.js';
export function toGradeJunitXml(report) {
    const totals = report.exercises.map(suiteCounts).reduce((sum, c) => ({ tests: sum.tests + c.tests, failures: sum.failures + c.failures, errors: sum.errors + c.errors }), { tests: 0, failures: 0, errors: 0 });
    const seconds = (report.exercises.reduce((sum, e) => sum + e.durationMs, 0) / 1000).toFixed(3);
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites name="${escapeXml(`brokerlab grade${report.learner ? ` (${report.learner})` : ''}`)}" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" time="${seconds}">`,
        ...report.exercises.map(junitTestsuite),
        '</testsuites>',
        '',
    ].join('\n');
}
//# sourceMappingURL=grade-junit.js.map