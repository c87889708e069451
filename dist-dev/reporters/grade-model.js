/** The exercise's full points: every check of its scenario, with its weight. */
export function maxScoreOf(entry) {
    return entry.scenario.checks.reduce((sum, check) => sum + (check.weight ?? 1), 0);
}
export function outcomeOf(entry, file, result) {
    return {
        exercise: result.exercise,
        title: result.title,
        week: entry.scenario.week,
        file,
        verdict: result.verdict,
        summary: result.summary,
        checks: result.checks,
        score: { earned: result.score.earned, max: Math.max(result.score.max, maxScoreOf(entry)) },
        durationMs: result.durationMs,
        runId: result.runId,
        runDir: result.runDir,
        ...(result.seed === undefined ? {} : { seed: result.seed }),
    };
}
/** An exercise brokerlab could not grade: no checks, no points, the reason as summary. */
export function erroredOutcome(entry, file, message, durationMs) {
    return {
        exercise: entry.scenario.id,
        title: entry.scenario.title,
        week: entry.scenario.week,
        file,
        verdict: 'error',
        summary: `brokerlab could not grade it: ${message}`,
        checks: [],
        score: { earned: 0, max: maxScoreOf(entry) },
        durationMs,
        runId: '',
        runDir: '',
    };
}
export function gradeReport(exercises, meta) {
    return {
        version: meta.version,
        ...(meta.learner ? { learner: meta.learner } : {}),
        gradedAt: meta.gradedAt.toISOString(),
        exercises,
        score: {
            earned: exercises.reduce((sum, e) => sum + e.score.earned, 0),
            max: exercises.reduce((sum, e) => sum + e.score.max, 0),
        },
    };
}
/**
 * The exit code of a grade: 1 when any exercise fails (a normal outcome: there is something
 * to fix); else, when brokerlab could not grade some exercise, that error's own code
 * (`errorKind`: 4 for a broker that went away, 70 for a bug in brokerlab); else 3 when some
 * could not be decided; else 0 (every exercise passes).
 */
export function gradeExitKind(verdicts, errorKind = 'internal') {
    if (verdicts.some((v) => v === 'fail'))
        return 'fail';
    if (verdicts.some((v) => v === 'error'))
        return errorKind;
    if (verdicts.length === 0 || verdicts.some((v) => v !== 'pass'))
        return 'unknown';
    return 'pass';
}
/** Checks that need the learner's attention: failed ones first, then undecided ones. */
export function checksToReport(outcome) {
    return [...outcome.checks.filter((c) => c.status === 'fail'), ...outcome.checks.filter((c) => c.status === 'unknown')];
}
export function seconds(ms) {
    return `${(ms / 1000).toFixed(1)}s`;
}
//# sourceMappingURL=grade-model.js.map