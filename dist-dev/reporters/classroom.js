import { checksToReport, seconds } from './grade-model.js';
import { statusOf } from './grade-results-json.js';
function testsOf(outcome) {
    const common = { filename: outcome.file, line_no: 0, execution_time: seconds(outcome.durationMs) };
    if (outcome.checks.length === 0) {
        return [{ name: `${outcome.title}: run`, status: 'error', message: outcome.summary, test_code: `${outcome.exercise}/run`, ...common, score: 0 }];
    }
    const reported = new Set(checksToReport(outcome));
    return outcome.checks.map((check) => ({
        name: `${outcome.title}: ${check.title}`,
        status: check.status === 'unknown' ? 'error' : check.status,
        message: reported.has(check) ? [`Expected: ${check.expected}.`, `Observed: ${check.observed}.`, check.hint ? `Hint: ${check.hint}` : ''].filter(Boolean).join('\n') : '',
        test_code: `${outcome.exercise}/${check.name}`,
        ...common,
        score: check.status === 'pass' ? check.weight : 0,
    }));
}
export function toClassroomResult(report) {
    return {
        version: 1,
        status: statusOf(report.exercises.map((e) => e.verdict)),
        max_score: report.score.max,
        tests: report.exercises.flatMap(testsOf),
    };
}
export function encodeClassroomResult(result) {
    return Buffer.from(JSON.stringify(result), 'utf8').toString('base64');
}
//# sourceMappingURL=classroom.js.map