// Reporters and the dev-check judgement, over a literal run result.
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/catalog/expectations.js';
import { toJunitXml } from '../../src/reporters/junit.js';
import { toResultsJson } from '../../src/reporters/results-json.js';
import type { RunResult } from '../../src/runner/run.js';
import { scoreOf, verdictOf } from '../../src/runner/verdict.js';

const result: RunResult = {
  runId: 'r1',
  exercise: 'rabbitmq-retry-worker',
  title: 'RabbitMQ worker',
  solution: 'worker.ts',
  verdict: 'fail',
  summary: '1 of 2 checks failed: no-lost-messages',
  checks: [
    { name: 'manual-ack', title: 'Acknowledges messages manually', status: 'pass', expected: 'e', observed: 'o', examples: [], weight: 1 },
    { name: 'no-lost-messages', title: 'Every task gets through', status: 'fail', expected: 'all 3 tasks', observed: '1 of 3 tasks never got through', examples: ['task-0002 (sent at 0.1s)'], hint: 'Ack after <work> & "done"', weight: 3 },
  ],
  score: { earned: 1, max: 4 },
  durationMs: 1234,
  runDir: '/tmp/x',
  notes: [],
  history: [],
};

describe('results.json (Exercism v3)', () => {
  it('has the v3 shape with a score per check', () => {
    const json = toResultsJson(result);
    expect(json.version).toBe(3);
    expect(json.status).toBe('fail');
    expect(json.tests[0]).toEqual({ name: 'Acknowledges messages manually', status: 'pass', test_code: 'manual-ack', score: 1, max_score: 1 });
    expect(json.tests[1]).toMatchObject({ status: 'fail', score: 0, max_score: 3, output: 'task-0002 (sent at 0.1s)' });
    expect(json.tests[1]?.message).toContain('Observed: 1 of 3 tasks never got through.');
  });
  it('maps an undecided run to "error" with the reason', () => {
    const json = toResultsJson({ ...result, verdict: 'unknown', summary: 'the lab lost Kafka', checks: [] });
    expect(json).toMatchObject({ status: 'error', message: 'the lab lost Kafka' });
  });
});

describe('JUnit XML', () => {
  it('has one testcase per check, failures counted, text escaped', () => {
    const xml = toJunitXml(result);
    expect(xml).toContain('<testsuite name="brokerlab.rabbitmq-retry-worker" tests="2" failures="1" errors="0" time="1.234">');
    expect(xml).toContain('<failure message="1 of 3 tasks never got through">');
    expect(xml).toContain('Ack after &lt;work&gt; &amp; &quot;done&quot;');
  });
});

describe('verdicts', () => {
  const check = (status: 'pass' | 'fail' | 'unknown', weight = 1) => ({ name: status, title: '', status, expected: '', observed: '', examples: [], weight });
  it('fail beats unknown beats pass', () => {
    expect(verdictOf([check('pass'), check('unknown'), check('fail')])).toBe('fail');
    expect(verdictOf([check('pass'), check('unknown')])).toBe('unknown');
    expect(verdictOf([check('pass')])).toBe('pass');
    expect(verdictOf([])).toBe('unknown');
  });
  it('scores by weight', () => {
    expect(scoreOf([check('pass', 2), check('fail', 3)])).toEqual({ earned: 2, max: 5 });
  });
});

describe('dev check judgement', () => {
  const run = (verdict: RunResult['verdict'], failed: string[]) => ({ verdict, checks: failed.map((name) => ({ name, status: 'fail' as const })) });
  it('a reference must pass', () => {
    expect(judge({ label: 'reference', file: '', expect: 'pass' }, run('pass', [])).ok).toBe(true);
    expect(judge({ label: 'reference', file: '', expect: 'pass' }, run('fail', ['in-order'])).deviation).toBe('expected pass, got fail (in-order)');
  });
  it('a wrong solution must fail on its intended check, not just fail', () => {
    const wrong = { label: 'wrong/x.ts', file: '', expect: 'fail' as const, failsChecks: ['in-order'] };
    expect(judge(wrong, run('fail', ['in-order', 'latency'])).ok).toBe(true);
    expect(judge(wrong, run('fail', ['latency'])).deviation).toBe('expected to fail on in-order, but that check did not fail');
    expect(judge(wrong, run('unknown', [])).deviation).toBe('expected fail, got unknown');
    const both = { ...wrong, failsChecks: ['in-order', 'latency'] };
    expect(judge(both, run('fail', ['in-order'])).deviation).toBe('expected to fail on latency, but that check did not fail');
  });
});
