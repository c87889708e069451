/**
 * What `brokerlab dev check` expects of each solution kept with an exercise, and the pure
 * judgement of one run against it.
 *
 * - the starter must fail (a learner must have something to do);
 * - the reference must pass, and so must each alternative (a correct solution written
 *   differently: the grader judges behaviour, not the reference's shape);
 * - each wrong solution must fail, and fail on the check it is meant to trip: a wrong
 *   solution that fails for another reason proves nothing about that check.
 */
import path from 'node:path';
export function expectationsOf(entry) {
    return [
        { label: 'starter', file: entry.starterPath, expect: 'fail' },
        { label: 'reference', file: entry.referencePath, expect: 'pass' },
        ...entry.scenario.solutions.alternatives.map((a) => ({ label: a.file, file: path.join(entry.dir, a.file), expect: 'pass' })),
        ...entry.scenario.solutions.wrong.map((w) => ({ label: w.file, file: path.join(entry.dir, w.file), expect: 'fail', failsChecks: w.failsChecks, diagnosis: w.diagnosis })),
    ];
}
export function judge(expectation, run) {
    const failing = run.checks.filter((c) => c.status === 'fail');
    const failed = failing.map((c) => c.name);
    const got = failing.length > 0 ? `${run.verdict} (${failing.map((c) => (c.cause ? `${c.name}: ${c.cause}` : c.name)).join(', ')})` : run.verdict;
    if (expectation.expect === 'pass') {
        return run.verdict === 'pass' ? { ok: true, got } : { ok: false, got, deviation: `expected pass, got ${got}` };
    }
    if (run.verdict !== 'fail')
        return { ok: false, got, deviation: `expected fail, got ${run.verdict}` };
    const notFailed = (expectation.failsChecks ?? []).filter((name) => !failed.includes(name));
    if (notFailed.length > 0) {
        return { ok: false, got, deviation: `expected to fail on ${notFailed.join(' and ')}, but ${notFailed.length === 1 ? 'that check' : 'those checks'} did not fail` };
    }
    const misdiagnosed = Object.entries(expectation.diagnosis ?? {}).filter(([name, cause]) => run.checks.find((c) => c.name === name)?.cause !== cause);
    if (misdiagnosed.length > 0) {
        const said = misdiagnosed.map(([name, cause]) => `${name} named the cause "${run.checks.find((c) => c.name === name)?.cause ?? 'none'}", expected "${cause}"`);
        return { ok: false, got, deviation: `failed for the wrong reason: ${said.join('; ')}` };
    }
    return { ok: true, got };
}
//# sourceMappingURL=expectations.js.map