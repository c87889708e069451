// `brokerlab grade`'s outputs over literal outcomes: results.json (validated against the
// shipped JSON Schema), JUnit XML (validated against the shipped XSD with xmllint), GitHub
// annotations and job summary, the Classroom result, the console report, the exit code.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { encodeClassroomResult, toClassroomResult } from '../../src/reporters/classroom.js';
import { annotations, escapeData, escapeProperty, stepSummary, workflowCommand } from '../../src/reporters/github.js';
import { formatGradeReport } from '../../src/reporters/grade-console.js';
import { toGradeJunitXml } from '../../src/reporters/grade-junit.js';
import { type ExerciseOutcome, erroredOutcome, gradeExitKind, gradeReport, maxScoreOf, outcomeOf } from '../../src/reporters/grade-model.js';
import { toGradeResultsJson } from '../../src/reporters/grade-results-json.js';
import { toJunitXml } from '../../src/reporters/junit.js';
import { toResultsJson } from '../../src/reporters/results-json.js';
import type { RunResult } from '../../src/runner/run.js';
import { REPO, tempDir } from '../helpers.js';

const SCHEMA = path.join(REPO, 'schemas', 'results.schema.json');
const XSD = path.join(REPO, 'schemas', 'junit.xsd');

function resultsValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  return ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
}

/** Runs xmllint against the shipped XSD; returns its complaint, or '' when the file is valid. */
function xsdErrors(xml: string): string {
  const file = path.join(tempDir('brokerlab-junit-'), 'junit.xml');
  writeFileSync(file, xml);
  try {
    execFileSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (error) {
    const e = error as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('xmllint is not installed: apt-get install libxml2-utils (scripts/install.sh does it)');
    return e.stderr ?? String(error);
  }
}

const passed: ExerciseOutcome = {
  exercise: 'redis-pubsub-notifier',
  title: 'Redis Pub/Sub notifier',
  week: '1',
  file: 'exercises/redis-pubsub-notifier/notifier.ts',
  verdict: 'pass',
  summary: 'all 2 checks passed',
  checks: [
    { name: 'subscribed', title: 'Subscribes before orders arrive', status: 'pass', expected: 'e', observed: 'o', examples: [], weight: 1 },
    { name: 'no-lost-messages', title: 'Every order is notified', status: 'pass', expected: 'e', observed: 'o', examples: [], weight: 2 },
  ],
  score: { earned: 3, max: 3 },
  durationMs: 12_345,
  runId: '20250101-120000-ab12-redis-pubsub-notifier',
  runDir: '/tmp/runs/20250101-120000-ab12-redis-pubsub-notifier',
};

const failed: ExerciseOutcome = {
  exercise: 'rabbitmq-retry-worker',
  title: 'RabbitMQ worker: acks, retries, dead letters',
  week: '2',
  file: 'exercises/rabbitmq-retry-worker/worker.ts',
  verdict: 'fail',
  summary: '1 of 3 checks failed: no-lost-messages',
  checks: [
    { name: 'manual-ack', title: 'Acknowledges messages manually', status: 'pass', expected: 'e', observed: 'o', examples: [], weight: 1 },
    {
      name: 'no-lost-messages',
      title: 'Every task gets through',
      status: 'fail',
      expected: 'all 3 tasks are processed',
      observed: '1 of 3 tasks never got through (100% lost, 0 retried)',
      examples: ['task-0002 (sent at 0.1s)', 'colour \x1b[31mred\x1b[0m and a bell \x07'],
      hint: 'Ack after <work> & "done", not before: a crash between them loses it',
      weight: 3,
    },
    { name: 'latency', title: 'Fast enough', status: 'unknown', expected: 'p99 under 1s', observed: 'too few samples', examples: [], hint: 'Run it again', weight: 1 },
  ],
  score: { earned: 1, max: 5 },
  durationMs: 20_100,
  runId: '20250101-120001-cd34-rabbitmq-retry-worker',
  runDir: '/tmp/runs/20250101-120001-cd34-rabbitmq-retry-worker',
};

const undecided: ExerciseOutcome = {
  exercise: 'kafka-consumer-group',
  title: 'Kafka consumer group: share, rebalance, lose nothing',
  week: '4-5',
  file: 'exercises/kafka-consumer-group/consumer.ts',
  verdict: 'unknown',
  summary: 'the lab could not finish the run: it lost its connection to Kafka. Run it again.',
  checks: [],
  score: { earned: 0, max: 5 },
  durationMs: 9_000,
  runId: '20250101-120002-ef56-kafka-consumer-group',
  runDir: '/tmp/runs/20250101-120002-ef56-kafka-consumer-group',
};

const at = new Date('2025-01-01T12:00:30.000Z');
const report = gradeReport([passed, failed, undecided], { version: '0.1.0', learner: 'ada', gradedAt: at });
const allPass = gradeReport([passed], { version: '0.1.0', gradedAt: at });

describe('the grade model', () => {
  it('totals the exercises', () => {
    expect(report.score).toEqual({ earned: 4, max: 13 });
    expect(report.learner).toBe('ada');
    expect(allPass).not.toHaveProperty('learner');
    expect(report.gradedAt).toBe('2025-01-01T12:00:30.000Z');
  });

  it("counts an exercise's full points even when only the crash check was reported", () => {
    const entry = { scenario: { week: '1', checks: [{ check: 'a', params: {}, hint: '' }, { check: 'b', params: {}, hint: '', weight: 2 }] } } as unknown as Parameters<typeof maxScoreOf>[0];
    expect(maxScoreOf(entry)).toBe(3);
    const crashed = {
      ...passed,
      solution: 'x.ts',
      notes: [],
      history: [],
      verdict: 'fail',
      checks: [{ name: 'program-starts', title: 'Your program starts', status: 'fail', expected: 'e', observed: 'it exited', examples: [], weight: 1 }],
      score: { earned: 0, max: 1 },
    } satisfies RunResult;
    expect(outcomeOf(entry, 'x.ts', crashed).score).toEqual({ earned: 0, max: 3 });
    expect(erroredOutcome({ scenario: { ...(entry.scenario as object), id: 'x', title: 'X' } } as never, 'x.ts', 'boom', 5)).toMatchObject({
      verdict: 'error',
      summary: 'brokerlab could not grade it: boom',
      score: { earned: 0, max: 3 },
      runId: '',
    });
  });
});

describe('exit code', () => {
  it('0 when every exercise passes, 1 when any fails, 3 when none fails but some are undecided', () => {
    expect(gradeExitKind(['pass', 'pass'])).toBe('pass');
    expect(gradeExitKind(['pass', 'fail', 'unknown'])).toBe('fail');
    expect(gradeExitKind(['pass', 'unknown'])).toBe('unknown');
    expect(gradeExitKind([])).toBe('unknown');
  });
  it('an exercise that could not be graded gives its error code, unless another one fails', () => {
    expect(gradeExitKind(['pass', 'error'], 'environment')).toBe('environment');
    expect(gradeExitKind(['unknown', 'error'])).toBe('internal');
    expect(gradeExitKind(['fail', 'error'], 'environment')).toBe('fail');
  });
});

describe('results.json (combined, Exercism v3) and its schema', () => {
  const validate = resultsValidator();
  const json = toGradeResultsJson(report);

  it('has the shape `brokerlab class report` reads', () => {
    expect(json).toMatchObject({ version: 3, status: 'fail', score: 4, max_score: 13 });
    expect(json.brokerlab).toEqual({
      kind: 'grade',
      version: '0.1.0',
      learner: 'ada',
      gradedAt: '2025-01-01T12:00:30.000Z',
      exercises: [
        { exercise: 'redis-pubsub-notifier', title: 'Redis Pub/Sub notifier', week: '1', verdict: 'pass', summary: 'all 2 checks passed', score: { earned: 3, max: 3 }, durationMs: 12_345, runId: passed.runId, runDir: passed.runDir },
        expect.objectContaining({ exercise: 'rabbitmq-retry-worker', verdict: 'fail', score: { earned: 1, max: 5 } }),
        expect.objectContaining({ exercise: 'kafka-consumer-group', week: '4-5', verdict: 'unknown', score: { earned: 0, max: 5 } }),
      ],
    });
  });

  it('names each test "<exercise title>: <check title>" with test_code "<exercise>/<check>" and its points', () => {
    expect(json.tests.map((t) => t.test_code)).toEqual([
      'redis-pubsub-notifier/subscribed',
      'redis-pubsub-notifier/no-lost-messages',
      'rabbitmq-retry-worker/manual-ack',
      'rabbitmq-retry-worker/no-lost-messages',
      'rabbitmq-retry-worker/latency',
      'kafka-consumer-group/run',
    ]);
    expect(json.tests[1]).toEqual({ name: 'Redis Pub/Sub notifier: Every order is notified', status: 'pass', test_code: 'redis-pubsub-notifier/no-lost-messages', score: 2, max_score: 2 });
    expect(json.tests[3]).toMatchObject({ name: 'RabbitMQ worker: acks, retries, dead letters: Every task gets through', status: 'fail', score: 0, max_score: 3 });
    expect(json.tests[3]?.message).toContain('Hint: Ack after <work>');
    expect(json.tests[4]).toMatchObject({ status: 'error', score: 0, max_score: 1 });
    expect(json.tests[5]).toMatchObject({ status: 'error', message: undecided.summary, score: 0, max_score: 5 });
  });

  it('status: pass when all pass; error with a message when none fails but one is undecided', () => {
    expect(toGradeResultsJson(allPass)).toMatchObject({ status: 'pass', score: 3, max_score: 3 });
    expect(toGradeResultsJson(allPass)).not.toHaveProperty('message');
    const json2 = toGradeResultsJson(gradeReport([passed, undecided], { version: '0.1.0', gradedAt: at }));
    expect(json2.status).toBe('error');
    expect(json2.message).toBe(`kafka-consumer-group: ${undecided.summary}`);
  });

  it('the schema accepts the combined kind (every status) and the per-run kind', () => {
    for (const doc of [json, toGradeResultsJson(allPass), toGradeResultsJson(gradeReport([undecided], { version: '0.1.0', gradedAt: at }))]) {
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    }
    const run: RunResult = { ...failed, solution: 'worker.ts', notes: ['learner-1 exited on its own'], history: [] };
    expect(validate(toResultsJson(run)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(toResultsJson({ ...run, verdict: 'unknown', checks: [], summary: 'lost Kafka' })), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the schema rejects what `class report` could not read', () => {
    const reject = (doc: unknown) => expect(validate(doc)).toBe(false);
    reject({ ...json, max_score: undefined }); // no total
    reject({ ...json, brokerlab: { ...json.brokerlab, kind: 'run' } });
    reject({ ...json, status: 'unknown' }); // Exercism has no "unknown"
    reject({ ...json, status: 'error', message: undefined }); // an error says why
    reject({ ...json, tests: [{ ...json.tests[0], test_code: 'subscribed' }] }); // combined test codes name the exercise
    reject({ ...json, brokerlab: { ...json.brokerlab, gradedAt: 'yesterday' } });
    reject({ ...json, brokerlab: { ...json.brokerlab, exercises: [{ ...json.brokerlab.exercises[0], score: 3 }] } });
    // a per-run document with a grade's totals is neither kind
    reject({ ...toResultsJson({ ...failed, solution: 'w.ts', notes: [], history: [] }), score: 1, max_score: 5 });
  });
});

describe('JUnit XML and its XSD', () => {
  const xml = toGradeJunitXml(report);

  it('has one testsuite per exercise, one testcase per check, totals on testsuites', () => {
    expect(xml).toContain('<testsuites name="brokerlab grade (ada)" tests="6" failures="1" errors="2" time="41.445">');
    expect(xml).toContain('<testsuite name="brokerlab.rabbitmq-retry-worker" tests="3" failures="1" errors="1" time="20.100">');
    expect(xml).toContain('<testsuite name="brokerlab.kafka-consumer-group" tests="1" failures="0" errors="1" time="9.000">');
    expect(xml).toContain('<failure message="1 of 3 tasks never got through (100% lost, 0 retried)">Expected: all 3 tasks are processed');
    expect(xml).toContain('Hint: Ack after &lt;work&gt; &amp; &quot;done&quot;');
    expect(xml.match(/<testsuite /g)).toHaveLength(3);
  });

  it('drops colour codes and characters XML cannot hold (a learner\'s stderr has them)', () => {
    expect(xml).toContain('  - colour red and a bell \ufffd');
    expect(xml).not.toContain('\x1b');
  });

  it('the combined and the per-run junit.xml are valid against schemas/junit.xsd', () => {
    expect(xsdErrors(xml)).toBe('');
    expect(xsdErrors(toGradeJunitXml(allPass))).toBe('');
    const run: RunResult = { ...failed, solution: 'worker.ts', notes: [], history: [] };
    expect(xsdErrors(toJunitXml(run))).toBe('');
    expect(xsdErrors(toJunitXml({ ...run, verdict: 'unknown', checks: [], summary: 'lost <Kafka>' }))).toBe('');
  });

  it('the XSD rejects what CI systems would not read', () => {
    expect(xsdErrors('<?xml version="1.0"?>\n<testsuites><testsuite name="x"><testcase name="a"/></testsuite></testsuites>\n')).toMatch(/tests.*is required|attribute 'tests'/);
    expect(xsdErrors('<?xml version="1.0"?>\n<testsuites><testsuite name="x" tests="1"><testcase name="a" time="soon"/></testsuite></testsuites>\n')).toMatch(/time/);
    expect(xsdErrors('<?xml version="1.0"?>\n<testsuites><testcase name="a"/></testsuites>\n')).not.toBe('');
  });
});

describe('GitHub Actions annotations', () => {
  it('escapes messages (% CR LF) and properties (also : and ,) as GitHub\'s toolkit does', () => {
    expect(escapeData('100% lost\r\nnext line')).toBe('100%25 lost%0D%0Anext line');
    expect(escapeProperty('Kafka: share, rebalance 50%')).toBe('Kafka%3A share%2C rebalance 50%25');
    expect(workflowCommand('error', { file: 'a.ts', title: '' }, 'm')).toBe('::error file=a.ts::m');
  });

  it('one ::error per failing check on the learner\'s file, ::warning for undecided ones', () => {
    expect(annotations(report)).toEqual([
      '::error file=exercises/rabbitmq-retry-worker/worker.ts,title=RabbitMQ worker%3A acks%2C retries%2C dead letters%3A Every task gets through::1 of 3 tasks never got through (100%25 lost, 0 retried).%0AExpected: all 3 tasks are processed.%0AHint: Ack after <work> & "done", not before: a crash between them loses it',
      '::warning file=exercises/rabbitmq-retry-worker/worker.ts,title=RabbitMQ worker%3A acks%2C retries%2C dead letters%3A Fast enough::too few samples.%0AExpected: p99 under 1s.%0AHint: Run it again',
      `::warning file=exercises/kafka-consumer-group/consumer.ts,title=Kafka consumer group%3A share%2C rebalance%2C lose nothing%3A not graded::${undecided.summary}`,
    ]);
    expect(annotations(allPass)).toEqual([]);
  });
});

describe('GitHub job summary', () => {
  it('is a table of the exercises, then the checks to look at with their hints', () => {
    expect(stepSummary(report)).toBe(
      [
        '## brokerlab grade: 4/13 for ada',
        '',
        '| Exercise | Week | Verdict | Score | Time |',
        '|---|---|---|---|---|',
        '| Redis Pub/Sub notifier (`redis-pubsub-notifier`) | 1 | ✅ passed | 3/3 | 12.3s |',
        '| RabbitMQ worker: acks, retries, dead letters (`rabbitmq-retry-worker`) | 2 | ❌ not yet | 1/5 | 20.1s |',
        '| Kafka consumer group: share, rebalance, lose nothing (`kafka-consumer-group`) | 4-5 | ⚠️ undecided | 0/5 | 9.0s |',
        '| **Total** | | | **4/13** | |',
        '',
        '### What to look at',
        '',
        '**RabbitMQ worker: acks, retries, dead letters** (`exercises/rabbitmq-retry-worker/worker.ts`)',
        '',
        '- ❌ **Every task gets through**: 1 of 3 tasks never got through (100% lost, 0 retried) (expected: all 3 tasks are processed)',
        '  - Hint: Ack after <work> & "done", not before: a crash between them loses it',
        '- ⚠️ **Fast enough**: too few samples (expected: p99 under 1s)',
        '  - Hint: Run it again',
        '',
        '**Kafka consumer group: share, rebalance, lose nothing** (`exercises/kafka-consumer-group/consumer.ts`)',
        '',
        `- ⚠️ ${undecided.summary}`,
        '',
      ].join('\n'),
    );
  });

  it('keeps a table row in one piece', () => {
    const piped = gradeReport([{ ...passed, title: 'a | b\nc' }], { version: '0.1.0', gradedAt: at });
    expect(stepSummary(piped)).toContain('| a \\| b c (`redis-pubsub-notifier`) |');
  });
});

describe('GitHub Classroom result', () => {
  it('decodes to the autograding reporter\'s runner result, field by field', () => {
    const encoded = encodeClassroomResult(toClassroomResult(report));
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const decoded = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    expect(Object.keys(decoded)).toEqual(['version', 'status', 'max_score', 'tests']);
    expect(decoded.version).toBe(1);
    expect(decoded.status).toBe('fail');
    expect(decoded.max_score).toBe(13);
    expect(decoded.tests).toHaveLength(6);
    expect(decoded.tests.reduce((sum: number, t: { score: number }) => sum + t.score, 0)).toBe(4);
    expect(decoded.tests[1]).toEqual({
      name: 'Redis Pub/Sub notifier: Every order is notified',
      status: 'pass',
      message: '',
      test_code: 'redis-pubsub-notifier/no-lost-messages',
      filename: 'exercises/redis-pubsub-notifier/notifier.ts',
      line_no: 0,
      execution_time: '12.3s',
      score: 2,
    });
    expect(decoded.tests[3]).toMatchObject({ status: 'fail', score: 0, test_code: 'rabbitmq-retry-worker/no-lost-messages', filename: 'exercises/rabbitmq-retry-worker/worker.ts' });
    expect(decoded.tests[3].message).toBe(
      'Expected: all 3 tasks are processed.\nObserved: 1 of 3 tasks never got through (100% lost, 0 retried).\nHint: Ack after <work> & "done", not before: a crash between them loses it',
    );
    expect(decoded.tests[4]).toMatchObject({ status: 'error', score: 0 });
    expect(decoded.tests[5]).toMatchObject({ name: 'Kafka consumer group: share, rebalance, lose nothing: run', status: 'error', message: undecided.summary, score: 0 });
  });

  it('passes when every exercise passes', () => {
    expect(toClassroomResult(allPass)).toMatchObject({ version: 1, status: 'pass', max_score: 3 });
  });
});

describe('console report', () => {
  it('one line per exercise, the failing checks with reason and hint, then the total', () => {
    const text = formatGradeReport(report, 'brokerlab-results');
    const lines = text.split('\n');
    expect(lines).toContain('✔ PASSED     redis-pubsub-notifier    3/3   12.3s  Redis Pub/Sub notifier');
    expect(lines).toContain('✘ NOT YET    rabbitmq-retry-worker    1/5   20.1s  RabbitMQ worker: acks, retries, dead letters');
    expect(lines).toContain('    ✘ Every task gets through: 1 of 3 tasks never got through (100% lost, 0 retried)');
    expect(lines).toContain('      hint: Ack after <work> & "done", not before: a crash between them loses it');
    expect(lines).toContain('    ? Fast enough: too few samples');
    expect(lines).toContain('? UNDECIDED  kafka-consumer-group     0/5    9.0s  Kafka consumer group: share, rebalance, lose nothing');
    expect(lines).toContain(`    ? ${undecided.summary}`);
    expect(lines).toContain('Total: 4/13  (3 exercises: 1 passed, 1 not yet, 1 undecided)');
    expect(text).toContain('`brokerlab check rabbitmq-retry-worker` shows its full report');
    expect(text).toContain('results: brokerlab-results (results.json, junit.xml, classroom.json)');
  });
});
