// A learner's stderr (quoted in examples) may hold colour codes and other control characters
// that XML 1.0 forbids even escaped; one of them makes the whole file unreadable to a CI
// system. Colour codes are dropped, any other such character becomes U+FFFD.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
export const escapeXml = (s) => s
    .replace(ANSI, '')
    .replace(NOT_XML, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
const escape = escapeXml;
/** Counts of one suite, also summed into <testsuites>. */
export function suiteCounts(result) {
    return {
        // A run without checks (the lab could not decide) still has one testcase: the error.
        tests: Math.max(result.checks.length, 1),
        failures: result.checks.filter((c) => c.status === 'fail').length,
        errors: result.checks.filter((c) => c.status === 'unknown').length + (result.checks.length === 0 ? 1 : 0),
    };
}
/** One <testsuite> element, indented by two spaces, without a trailing newline. */
export function junitTestsuite(result) {
    const { tests, failures, errors } = suiteCounts(result);
    const seconds = (result.durationMs / 1000).toFixed(3);
    const cases = result.checks.map((c) => {
        const open = `    <testcase classname="brokerlab.${escape(result.exercise)}" name="${escape(c.name)}: ${escape(c.title)}" time="0">`;
        if (c.status === 'pass')
            return `${open}</testcase>`;
        const body = escape([`Expected: ${c.expected}`, `Observed: ${c.observed}`, ...c.examples.map((e) => `  - ${e}`), c.hint ? `Hint: ${c.hint}` : ''].filter(Boolean).join('\n'));
        const tag = c.status === 'fail' ? 'failure' : 'error';
        return `${open}\n      <${tag} message="${escape(c.observed)}">${body}</${tag}>\n    </testcase>`;
    });
    if (result.checks.length === 0) {
        cases.push(`    <testcase classname="brokerlab.${escape(result.exercise)}" name="run" time="${seconds}">\n      <error message="${escape(result.summary)}"/>\n    </testcase>`);
    }
    return [
        `  <testsuite name="brokerlab.${escape(result.exercise)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds}">`,
        ...cases,
        '  </testsuite>',
    ].join('\n');
}
export function toJunitXml(result) {
    const { tests, failures, errors } = suiteCounts(result);
    const seconds = (result.durationMs / 1000).toFixed(3);
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds}">`,
        junitTestsuite(result),
        '</testsuites>',
        '',
    ].join('\n');
}
//# sourceMappingURL=junit.js.map