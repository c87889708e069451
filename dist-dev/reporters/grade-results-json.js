import { toResultsJson } from './results-json.js';
function testsOf(outcome) {
    if (outcome.checks.length === 0) {
        return [{ name: `${outcome.title}: run`, status: 'error', message: outcome.summary, test_code: `${outcome.exercise}/run`, score: 0, max_score: outcome.score.max }];
    }
    // The per-check fields (status, message, output, score) are exactly a single run's.
    const single = toResultsJson({ ...outcome, solution: outcome.file, notes: [], history: [] });
    return single.tests.map((test) => ({ ...test, name: `${outcome.title}: ${test.name}`, test_code: `${outcome.exercise}/${test.test_code}` }));
}
export function statusOf(verdicts) {
    if (verdicts.length > 0 && verdicts.every((v) => v === 'pass'))
        return 'pass';
    if (verdicts.some((v) => v === 'fail'))
        return 'fail';
    return 'error';
}
export function toGradeResultsJson(report) {
    const status = statusOf(report.exercises.map((e) => e.verdict));
    const undecided = report.exercises.filter((e) => e.verdict === 'unknown' || e.verdict === 'error');
    return {
        version: 3,
        status,
        ...(status === 'error' ? { message: undecided.map((e) => `${e.exercise}: ${e.summary}`).join('\n') || 'nothing was graded' } : {}),
        tests: report.exercises.flatMap(testsOf),
        score: report.score.earned,
        max_score: report.score.max,
        brokerlab: {
            kind: 'grade',
            version: report.version,
            ...(report.learner ? { learner: report.learner } : {}),
            gradedAt: report.gradedAt,
            exercises: report.exercises.map((e) => ({
                exercise: e.exercise,
                title: e.title,
                week: e.week,
                verdict: e.verdict,
                summary: e.summary,
                score: e.score,
                durationMs: e.durationMs,
                runId: e.runId,
                runDir: e.runDir,
                ...(e.seed === undefined ? {} : { seed: e.seed }),
            })),
        },
    };
}
//# sourceMappingURL=grade-results-json.js.map