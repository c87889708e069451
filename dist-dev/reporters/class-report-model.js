/**
 * The class dashboard's data (`brokerlab class report`): many learners' results.json files
 * merged into one learners × exercises grid, a summary per exercise, and the checks the class
 * is stuck on. Pure: the command finds and reads the files and hands their parsed JSON here,
 * so the merge is unit-tested with literal data.
 *
 * Two shapes of results.json exist, both Exercism v3 with a `brokerlab` block:
 *   - one graded run (src/reporters/results-json.ts): `brokerlab.exercise`, tests named by
 *     check title with `test_code` = the check's name;
 *   - the combined file of `brokerlab grade`: `brokerlab.kind = "grade"`, one entry per
 *     exercise in `brokerlab.exercises`, tests named "<exercise title>: <check title>" with
 *     `test_code` = "<exercise id>/<check name>".
 */
const VERDICTS = ['pass', 'fail', 'unknown', 'error'];
const STATUSES = ['pass', 'fail', 'error'];
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function str(value) {
    return typeof value === 'string' && value !== '' ? value : undefined;
}
function num(value) {
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
function scoreOf(value) {
    return isObject(value) ? { earned: num(value.earned), max: num(value.max) } : { earned: 0, max: 0 };
}
/** Run ids start with their UTC start time: "20261122-025421-2grp-redis-pubsub-notifier". */
export function timeOfRunId(runId) {
    const m = runId?.match(/^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/);
    if (!m)
        return undefined;
    const [, y, mo, d, h, mi, s] = m.map(Number);
    return Date.UTC(y, mo - 1, d, h, mi, s);
}
function timeOf(gradedAt, runId, mtimeMs) {
    const graded = gradedAt ? Date.parse(gradedAt) : NaN;
    if (Number.isFinite(graded))
        return graded;
    return timeOfRunId(runId) ?? mtimeMs;
}
/** The "Hint: " line of a message written by results-json.ts ("Expected: ...\nObserved:
 *  ...\nHint: ..."). */
export function hintOf(message) {
    const line = message?.split('\n').find((l) => l.startsWith('Hint: '));
    return line ? line.slice('Hint: '.length).trim() || undefined : undefined;
}
function readTests(tests) {
    const out = [];
    for (const [i, test] of tests.entries()) {
        if (!isObject(test))
            return `tests[${i}] is not an object`;
        const testCode = str(test.test_code);
        const name = str(test.name);
        const status = STATUSES.find((s) => s === test.status);
        if (!testCode || !name || !status)
            return `tests[${i}] has no test_code, name or valid status`;
        const message = str(test.message);
        out.push({ name, status, testCode, ...(message ? { message } : {}) });
    }
    return out;
}
function toCheck(test, name, title) {
    const hint = hintOf(test.message);
    return { name, title, status: test.status, ...(hint ? { hint } : {}), ...(test.message && test.status !== 'pass' ? { message: test.message } : {}) };
}
/**
 * One results.json's submissions, or why it is not one brokerlab can use (to warn about and
 * skip: a mentor's download folder may hold other JSON).
 */
export function parseResults(json, origin) {
    if (!isObject(json))
        return { ok: false, reason: 'not a JSON object' };
    if (json.version !== 3 || !Array.isArray(json.tests))
        return { ok: false, reason: 'not a results.json (no "version": 3 and "tests")' };
    const b = json.brokerlab;
    if (!isObject(b))
        return { ok: false, reason: 'not written by brokerlab (no "brokerlab" block)' };
    const tests = readTests(json.tests);
    if (typeof tests === 'string')
        return { ok: false, reason: tests };
    const learner = str(b.learner) ?? origin.learner;
    if (b.kind === 'grade') {
        if (!Array.isArray(b.exercises))
            return { ok: false, reason: '"brokerlab.exercises" is not a list' };
        const gradedAt = str(b.gradedAt);
        const submissions = [];
        for (const [i, e] of b.exercises.entries()) {
            const exercise = isObject(e) ? str(e.exercise) : undefined;
            if (!isObject(e) || !exercise)
                return { ok: false, reason: `brokerlab.exercises[${i}] has no "exercise"` };
            const title = str(e.title);
            const week = str(e.week);
            const summary = str(e.summary);
            const runId = str(e.runId);
            const prefix = `${exercise}/`;
            const titlePrefix = title ? `${title}: ` : undefined;
            const checks = tests
                .filter((t) => t.testCode.startsWith(prefix))
                .map((t) => toCheck(t, t.testCode.slice(prefix.length), titlePrefix && t.name.startsWith(titlePrefix) ? t.name.slice(titlePrefix.length) : t.name));
            submissions.push({
                learner,
                exercise,
                ...(title ? { title } : {}),
                ...(week ? { week } : {}),
                verdict: VERDICTS.find((v) => v === e.verdict) ?? 'error',
                ...(summary ? { summary } : {}),
                score: scoreOf(e.score),
                checks,
                ...(gradedAt ? { gradedAt } : {}),
                ...(runId ? { runId } : {}),
                at: timeOf(gradedAt, runId, origin.mtimeMs),
                source: origin.file,
            });
        }
        return { ok: true, submissions };
    }
    const exercise = str(b.exercise);
    if (!exercise)
        return { ok: false, reason: 'not a brokerlab results.json (no "brokerlab.exercise" and not "kind": "grade")' };
    const runId = str(b.runId);
    const summary = str(b.summary);
    const verdict = VERDICTS.find((v) => v === b.verdict) ?? (json.status === 'pass' ? 'pass' : json.status === 'fail' ? 'fail' : 'error');
    return {
        ok: true,
        submissions: [
            {
                learner,
                exercise,
                verdict,
                ...(summary ? { summary } : {}),
                score: scoreOf(b.score),
                checks: tests.map((t) => toCheck(t, t.testCode, t.name)),
                ...(runId ? { runId } : {}),
                at: timeOf(undefined, runId, origin.mtimeMs),
                source: origin.file,
            },
        ],
    };
}
/** Learner names, alphabetically as a person reads them (case-insensitive, numbers by value);
 *  names equal but for case keep a fixed order. */
export function compareNames(a, b) {
    return a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true }) || (a < b ? -1 : a > b ? 1 : 0);
}
/** Of each learner's submissions for an exercise, the latest (a later file wins a tie). */
export function latestSubmissions(submissions) {
    const latest = new Map();
    for (const s of submissions) {
        const key = JSON.stringify([s.learner, s.exercise]);
        const kept = latest.get(key);
        if (!kept || s.at >= kept.at)
            latest.set(key, s);
    }
    return [...latest.values()];
}
/** Curriculum order for known exercises; unknown ones after them, by week, then id. */
function orderExercises(ids, catalog, weekOf) {
    const position = new Map(catalog.map((e, i) => [e.id, i]));
    const firstWeek = (id) => Number.parseInt(weekOf(id) ?? '', 10);
    return [...ids].sort((a, b) => {
        const pa = position.get(a) ?? Infinity;
        const pb = position.get(b) ?? Infinity;
        if (pa !== pb)
            return pa - pb;
        const wa = firstWeek(a);
        const wb = firstWeek(b);
        if ((wa || Infinity) !== (wb || Infinity))
            return (wa || Infinity) - (wb || Infinity);
        return a < b ? -1 : a > b ? 1 : 0;
    });
}
export function buildClassReport(all, catalog) {
    const submissions = latestSubmissions(all);
    const byId = new Map(catalog.map((e) => [e.id, e]));
    const first = new Map();
    for (const s of submissions)
        if (!first.has(s.exercise))
            first.set(s.exercise, s);
    const exerciseIds = orderExercises(first.keys(), catalog, (id) => byId.get(id)?.week ?? first.get(id)?.week);
    const learnerNames = [...new Set(submissions.map((s) => s.learner))].sort(compareNames);
    const lookup = new Map(submissions.map((s) => [JSON.stringify([s.learner, s.exercise]), s]));
    const get = (learner, exercise) => lookup.get(JSON.stringify([learner, exercise]));
    const exercises = [];
    const stuck = [];
    for (const id of exerciseIds) {
        const known = byId.get(id);
        const title = known?.title ?? first.get(id)?.title ?? id;
        const week = known?.week ?? first.get(id)?.week;
        const results = learnerNames.flatMap((learner) => {
            const s = get(learner, id);
            return s ? [s] : [];
        });
        // Every check of the exercise, in the order the learners' results list them.
        const checks = new Map();
        for (const s of results) {
            for (const c of s.checks) {
                const entry = checks.get(c.name) ?? { title: c.title, failing: [] };
                checks.set(c.name, entry);
                if (c.status !== 'fail')
                    continue;
                entry.failing.push(s.learner);
                entry.hint ??= c.hint ?? c.message;
            }
        }
        let mostFailed;
        for (const [name, c] of checks) {
            if (c.failing.length > 0 && c.failing.length > (mostFailed?.failing ?? 0))
                mostFailed = { check: name, title: c.title, failing: c.failing.length };
            if (c.failing.length > 0) {
                stuck.push({ exercise: id, exerciseTitle: title, check: name, title: c.title, failing: c.failing, submitted: results.length, ...(c.hint ? { hint: c.hint } : {}) });
            }
        }
        exercises.push({
            id,
            title,
            ...(week ? { week } : {}),
            maxScore: Math.max(0, ...results.map((s) => s.score.max)),
            submitted: results.length,
            passed: results.filter((s) => s.verdict === 'pass').length,
            ...(mostFailed ? { mostFailed } : {}),
        });
    }
    // Most learners failing first; then the larger share of those who tried; then curriculum
    // order (the sort is stable, and `stuck` was built in that order).
    stuck.sort((a, b) => b.failing.length - a.failing.length || b.failing.length / b.submitted - a.failing.length / a.submitted);
    const classMax = exercises.reduce((sum, e) => sum + e.maxScore, 0);
    const learners = learnerNames.map((name) => {
        const cells = {};
        let earned = 0;
        let passed = 0;
        for (const id of exerciseIds) {
            const s = get(name, id);
            if (!s)
                continue;
            earned += s.score.earned;
            if (s.verdict === 'pass')
                passed++;
            cells[id] = {
                verdict: s.verdict,
                score: s.score,
                ...(s.summary ? { summary: s.summary } : {}),
                failing: s.checks.filter((c) => c.status === 'fail').map((c) => ({ name: c.name, title: c.title })),
                undecided: s.checks.filter((c) => c.status === 'error').map((c) => ({ name: c.name, title: c.title })),
                ...(s.gradedAt ? { gradedAt: s.gradedAt } : {}),
                ...(s.runId ? { runId: s.runId } : {}),
                source: s.source,
            };
        }
        return { name, cells, total: { earned, max: classMax }, passed };
    });
    return { learners, exercises, stuck };
}
//# sourceMappingURL=class-report-model.js.map