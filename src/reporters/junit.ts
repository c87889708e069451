/** JUnit XML: one testsuite per run, one testcase per check. Read by every CI system. */
import type { RunResult } from '../runner/run.js';

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

export function toJunitXml(result: RunResult): string {
  const failures = result.checks.filter((c) => c.status === 'fail').length;
  const errors = result.checks.filter((c) => c.status === 'unknown').length + (result.checks.length === 0 ? 1 : 0);
  const seconds = (result.durationMs / 1000).toFixed(3);
  const cases = result.checks.map((c) => {
    const open = `    <testcase classname="brokerlab.${escape(result.exercise)}" name="${escape(c.name)}: ${escape(c.title)}" time="0">`;
    if (c.status === 'pass') return `${open}</testcase>`;
    const body = escape([`Expected: ${c.expected}`, `Observed: ${c.observed}`, ...c.examples.map((e) => `  - ${e}`), c.hint ? `Hint: ${c.hint}` : ''].filter(Boolean).join('\n'));
    const tag = c.status === 'fail' ? 'failure' : 'error';
    return `${open}\n      <${tag} message="${escape(c.observed)}">${body}</${tag}>\n    </testcase>`;
  });
  if (result.checks.length === 0) {
    cases.push(`    <testcase classname="brokerlab.${escape(result.exercise)}" name="run" time="${seconds}">\n      <error message="${escape(result.summary)}"/>\n    </testcase>`);
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${Math.max(result.checks.length, 1)}" failures="${failures}" errors="${errors}" time="${seconds}">`,
    `  <testsuite name="brokerlab.${escape(result.exercise)}" tests="${Math.max(result.checks.length, 1)}" failures="${failures}" errors="${errors}" time="${seconds}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
