export function toResultsJson(result) {
    const status = result.verdict === 'pass' ? 'pass' : result.verdict === 'fail' ? 'fail' : 'error';
    return {
        version: 3,
        status,
        ...(status === 'error' ? { message: result.summary } : {}),
        tests: result.checks.map((check) => ({
            name: check.title,
            status: check.status === 'unknown' ? 'error' : check.status,
            ...(check.status === 'pass'
                ? {}
                : { message: [`Expected: ${check.expected}.`, `Observed: ${check.observed}.`, check.hint ? `Hint: ${check.hint}` : ''].filter(Boolean).join('\n') }),
            ...(check.examples.length > 0 ? { output: check.examples.join('\n') } : {}),
            test_code: check.name,
            score: check.status === 'pass' ? check.weight : 0,
            max_score: check.weight,
        })),
        brokerlab: {
            runId: result.runId,
            exercise: result.exercise,
            solution: result.solution,
            verdict: result.verdict,
            summary: result.summary,
            score: result.score,
            durationMs: result.durationMs,
            runDir: result.runDir,
            ...(result.seed === undefined ? {} : { seed: result.seed }),
            notes: result.notes,
        },
    };
}
//# sourceMappingURL=results-json.js.map