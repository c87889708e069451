// `brokerlab class report` over literal results.json files of both shapes: how they are read
// and merged (the latest result per learner and exercise, curriculum order, where the class is
// stuck), and the CSV, HTML and console renderings, including hostile learner names.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { learnerUnder } from '../../src/cli/commands/class-report.js';
import { csvField, inertText, toClassReportCsv } from '../../src/reporters/class-report-csv.js';
import { cellTitle, toClassReportHtml } from '../../src/reporters/class-report-html.js';
import { type CatalogExercise, type Submission, buildClassReport, hintOf, parseResults, timeOfRunId } from '../../src/reporters/class-report-model.js';
import { toClassReportText } from '../../src/reporters/class-report-text.js';
import { REPO } from '../helpers.js';

const CATALOG: CatalogExercise[] = [
  { id: 'redis-pubsub-notifier', title: 'Redis pub/sub notifier', week: '1' },
  { id: 'rabbitmq-retry-worker', title: 'RabbitMQ worker: acks, retries, dead letters', week: '2' },
  { id: 'kafka-consumer-group', title: 'Kafka consumer group', week: '4-5' },
];

const LOST_MESSAGE = 'Expected: every order notified.\nObserved: 3 of 40 lost.\nHint: Subscribe before you publish.';

/** results.json of one `brokerlab check` run (src/reporters/results-json.ts). */
const runFile = {
  version: 3,
  status: 'fail',
  tests: [
    { name: 'Subscribes to the orders channel', status: 'pass', test_code: 'subscribed', score: 1, max_score: 1 },
    { name: 'Every notification gets through', status: 'fail', message: LOST_MESSAGE, test_code: 'no-lost-messages', score: 0, max_score: 2 },
  ],
  brokerlab: {
    runId: '20261120-101500-ab12-redis-pubsub-notifier',
    exercise: 'redis-pubsub-notifier',
    solution: 'exercises/redis-pubsub-notifier/notifier.ts',
    verdict: 'fail',
    summary: '1 of 2 checks failed: no-lost-messages',
    score: { earned: 1, max: 3 },
    durationMs: 4000,
    runDir: '/home/alice/ws/.brokerlab/runs/20261120-101500-ab12-redis-pubsub-notifier',
    notes: [],
  },
};

/** The combined results.json of `brokerlab grade`. */
const gradeFile = {
  version: 3,
  status: 'fail',
  tests: [
    { name: 'Redis pub/sub notifier: Subscribes to the orders channel', status: 'pass', test_code: 'redis-pubsub-notifier/subscribed', score: 1, max_score: 1 },
    { name: 'Redis pub/sub notifier: Every notification gets through', status: 'pass', test_code: 'redis-pubsub-notifier/no-lost-messages', score: 2, max_score: 2 },
    {
      name: 'RabbitMQ worker: acks, retries, dead letters: Poison messages end in the dead-letter queue',
      status: 'fail',
      message: 'Expected: 5 dead-lettered.\nObserved: 0.\nHint: Reject with requeue=false after the last retry.',
      test_code: 'rabbitmq-retry-worker/dead-lettered',
      score: 0,
      max_score: 2,
    },
    { name: 'RabbitMQ worker: acks, retries, dead letters: Nothing is lost', status: 'error', message: 'the lab could not decide', test_code: 'rabbitmq-retry-worker/no-lost-messages', score: 0, max_score: 2 },
  ],
  score: 3,
  max_score: 7,
  brokerlab: {
    kind: 'grade',
    version: '0.1.0',
    learner: 'bob',
    gradedAt: '2026-11-21T09:00:00.000Z',
    exercises: [
      { exercise: 'redis-pubsub-notifier', title: 'Redis pub/sub notifier', week: '1', verdict: 'pass', summary: 'all 2 checks passed', score: { earned: 3, max: 3 }, durationMs: 3000, runId: 'r1', runDir: '/x/r1' },
      { exercise: 'rabbitmq-retry-worker', title: 'RabbitMQ worker: acks, retries, dead letters', week: '2', verdict: 'fail', summary: '1 failed', score: { earned: 0, max: 4 }, durationMs: 9000, runId: 'r2', runDir: '/x/r2' },
    ],
  },
};

const origin = (learner: string, file = `/in/${learner}/results.json`, mtimeMs = 0) => ({ file, learner, mtimeMs });

function submissions(json: unknown, learner: string, file?: string, mtimeMs?: number): Submission[] {
  const parsed = parseResults(json, origin(learner, file, mtimeMs));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.submissions;
}

describe('reading results.json', () => {
  it('the literal files here are real results.json of both kinds (schemas/results.schema.json)', () => {
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(path.join(REPO, 'schemas', 'results.schema.json'), 'utf8')));
    for (const file of [runFile, gradeFile]) expect(validate(file) ? [] : validate.errors).toEqual([]);
  });

  it('one run: the exercise, its checks by name and title, the hint, the time from the run id', () => {
    const [s, ...rest] = submissions(runFile, 'alice');
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      learner: 'alice',
      exercise: 'redis-pubsub-notifier',
      verdict: 'fail',
      score: { earned: 1, max: 3 },
      runId: '20261120-101500-ab12-redis-pubsub-notifier',
      at: Date.UTC(2026, 10, 20, 10, 15, 0),
      source: '/in/alice/results.json',
    });
    expect(s?.checks).toEqual([
      { name: 'subscribed', title: 'Subscribes to the orders channel', status: 'pass' },
      { name: 'no-lost-messages', title: 'Every notification gets through', status: 'fail', hint: 'Subscribe before you publish.', message: LOST_MESSAGE },
    ]);
  });

  it('the combined file of `brokerlab grade`: one submission per exercise, its learner, check titles without the exercise title', () => {
    const list = submissions(gradeFile, 'folder-name');
    expect(list.map((s) => [s.learner, s.exercise, s.verdict, s.week, s.at])).toEqual([
      ['bob', 'redis-pubsub-notifier', 'pass', '1', Date.parse('2026-11-21T09:00:00.000Z')],
      ['bob', 'rabbitmq-retry-worker', 'fail', '2', Date.parse('2026-11-21T09:00:00.000Z')],
    ]);
    expect(list[1]?.checks.map((c) => [c.name, c.title, c.status, c.hint])).toEqual([
      ['dead-lettered', 'Poison messages end in the dead-letter queue', 'fail', 'Reject with requeue=false after the last retry.'],
      ['no-lost-messages', 'Nothing is lost', 'error', undefined],
    ]);
    // Without brokerlab.learner, the folder names the learner.
    const { learner: _dropped, ...anonymous } = gradeFile.brokerlab;
    expect(submissions({ ...gradeFile, brokerlab: anonymous }, 'carol')[0]?.learner).toBe('carol');
  });

  it('anything else is refused with a reason (the command warns and skips it)', () => {
    const reason = (json: unknown) => {
      const parsed = parseResults(json, origin('x'));
      return parsed.ok ? 'accepted' : parsed.reason;
    };
    expect(reason([1, 2])).toBe('not a JSON object');
    expect(reason({ name: 'my-package', version: '1.0.0' })).toMatch(/not a results.json/);
    expect(reason({ version: 3, status: 'pass', tests: [] })).toMatch(/no "brokerlab" block/);
    expect(reason({ version: 3, tests: [], brokerlab: { something: 1 } })).toMatch(/no "brokerlab.exercise"/);
    expect(reason({ version: 3, tests: [{ name: 'x' }], brokerlab: { exercise: 'e' } })).toMatch(/tests\[0\]/);
    expect(reason({ version: 3, tests: [], brokerlab: { kind: 'grade', exercises: 'all' } })).toMatch(/not a list/);
  });

  it('times: gradedAt, else the run id (UTC), else the file time; hints: the "Hint: " line', () => {
    expect(timeOfRunId('20261122-025421-2grp-redis-pubsub-notifier')).toBe(Date.UTC(2026, 10, 22, 2, 54, 21));
    expect(timeOfRunId('r1')).toBeUndefined();
    const noRunId = { ...runFile, brokerlab: { ...runFile.brokerlab, runId: 'handmade' } };
    expect(submissions(noRunId, 'alice', undefined, 1234)[0]?.at).toBe(1234);
    expect(hintOf(LOST_MESSAGE)).toBe('Subscribe before you publish.');
    expect(hintOf('Expected: a.\nObserved: b.')).toBeUndefined();
    expect(hintOf(undefined)).toBeUndefined();
  });

  it('the learner of a file found in a folder: the first folder under it, or the folder itself', () => {
    const root = path.join('/downloads', 'class');
    expect(learnerUnder(root, path.join(root, 'alice', 'results.json'))).toBe('alice');
    expect(learnerUnder(root, path.join(root, 'alice', 'brokerlab-results', 'results.json'))).toBe('alice');
    expect(learnerUnder(root, path.join(root, 'results.json'))).toBe('class');
    // A learner's own workspace: its runs are under .brokerlab/, and the workspace is the learner.
    expect(learnerUnder(path.join('/home', 'dana', 'ws'), path.join('/home', 'dana', 'ws', '.brokerlab', 'runs', 'r', 'results.json'))).toBe('ws');
  });
});

describe('merging a class', () => {
  const alice = submissions(runFile, 'alice');
  // Alice graded the same exercise again later, and passed: the later result counts.
  const alicePassed = submissions(
    {
      ...runFile,
      status: 'pass',
      tests: runFile.tests.map((t) => ({ ...t, status: 'pass', score: t.max_score, message: undefined })),
      brokerlab: { ...runFile.brokerlab, runId: '20261121-080000-cd34-redis-pubsub-notifier', verdict: 'pass', score: { earned: 3, max: 3 } },
    },
    'alice',
    '/in/alice/later/results.json',
  );
  const bob = submissions(gradeFile, 'bob');
  const carol = submissions({ ...runFile, brokerlab: { ...runFile.brokerlab, runId: '20261120-120000-ef56-redis-pubsub-notifier' } }, 'carol');
  const dave = submissions(
    {
      ...gradeFile,
      brokerlab: {
        ...gradeFile.brokerlab,
        learner: 'dave',
        exercises: [{ ...gradeFile.brokerlab.exercises[1], summary: '1 failed' }],
      },
    },
    'dave',
  );

  it('keeps the latest result per learner and exercise, orders learners alphabetically and exercises by the curriculum', () => {
    // Given newest first, so the order of the files does not decide.
    const report = buildClassReport([...alicePassed, ...alice, ...dave, ...carol, ...bob], CATALOG);
    expect(report.learners.map((l) => l.name)).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(report.exercises.map((e) => [e.id, e.title, e.week])).toEqual([
      ['redis-pubsub-notifier', 'Redis pub/sub notifier', '1'],
      ['rabbitmq-retry-worker', 'RabbitMQ worker: acks, retries, dead letters', '2'],
    ]);
    const grid = report.learners.map((l) => [l.name, ...report.exercises.map((e) => l.cells[e.id]?.verdict ?? '-'), `${l.total.earned}/${l.total.max}`]);
    expect(grid).toEqual([
      ['alice', 'pass', '-', '3/7'],
      ['bob', 'pass', 'fail', '3/7'],
      ['carol', 'fail', '-', '1/7'],
      ['dave', '-', 'fail', '0/7'],
    ]);
    expect(report.learners[0]?.cells['redis-pubsub-notifier']?.source).toBe('/in/alice/later/results.json');
    expect(report.learners[1]?.cells['rabbitmq-retry-worker']).toMatchObject({
      failing: [{ name: 'dead-lettered', title: 'Poison messages end in the dead-letter queue' }],
      undecided: [{ name: 'no-lost-messages', title: 'Nothing is lost' }],
    });
  });

  it('per exercise: passed of all learners and the most-failed check; the stuck checks ranked by learners failing them', () => {
    const report = buildClassReport([...alice, ...bob, ...carol, ...dave], CATALOG);
    expect(report.exercises.map((e) => ({ id: e.id, passed: e.passed, submitted: e.submitted, maxScore: e.maxScore, mostFailed: e.mostFailed }))).toEqual([
      { id: 'redis-pubsub-notifier', passed: 1, submitted: 3, maxScore: 3, mostFailed: { check: 'no-lost-messages', title: 'Every notification gets through', failing: 2 } },
      { id: 'rabbitmq-retry-worker', passed: 0, submitted: 2, maxScore: 4, mostFailed: { check: 'dead-lettered', title: 'Poison messages end in the dead-letter queue', failing: 2 } },
    ]);
    // Both checks trip 2 learners; 2 of 2 is a larger share than 2 of 3. An undecided check
    // is not the learners' failure, so it is not listed.
    expect(report.stuck.map((s) => [s.exercise, s.check, s.failing, s.submitted, s.hint])).toEqual([
      ['rabbitmq-retry-worker', 'dead-lettered', ['bob', 'dave'], 2, 'Reject with requeue=false after the last retry.'],
      ['redis-pubsub-notifier', 'no-lost-messages', ['alice', 'carol'], 3, 'Subscribe before you publish.'],
    ]);
  });

  it('an exercise the catalog does not know goes last, under its own id', () => {
    const other = submissions({ ...runFile, brokerlab: { ...runFile.brokerlab, exercise: 'retired-exercise' } }, 'erin');
    const report = buildClassReport([...other, ...alice], CATALOG);
    expect(report.exercises.map((e) => [e.id, e.title])).toEqual([
      ['redis-pubsub-notifier', 'Redis pub/sub notifier'],
      ['retired-exercise', 'retired-exercise'],
    ]);
  });
});

describe('class-report.csv', () => {
  it('RFC 4180: quotes a field with a comma or a quote (doubled), CRLF line ends', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Smith, "Bob"')).toBe('"Smith, ""Bob"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(7)).toBe('7');
    // (The grade file names its learner, bob, who sorts before Smith.)
    const report = buildClassReport([...submissions(runFile, 'Smith, "Bob"'), ...submissions(gradeFile, 'x')], CATALOG);
    expect(toClassReportCsv(report)).toBe(
      'learner,redis-pubsub-notifier,rabbitmq-retry-worker,total,max\r\n' + 'bob,3,0,3,7\r\n' + '"Smith, ""Bob""",1,,1,7\r\n',
    );
  });

  it('a name a spreadsheet would run as a formula is made inert', () => {
    expect(inertText('=HYPERLINK("http://x","y")')).toBe('\'=HYPERLINK("http://x","y")');
    expect(inertText('@sum')).toBe("'@sum");
    expect(inertText('anna-lena')).toBe('anna-lena');
    const report = buildClassReport(submissions(runFile, '=1+2'), CATALOG);
    expect(toClassReportCsv(report).split('\r\n')[1]).toBe("'=1+2,1,1,3");
  });
});

describe('class-report.html', () => {
  const hostile = '<script>alert("pwned")</script>';
  const report = buildClassReport(
    [
      ...submissions(runFile, hostile),
      ...submissions(gradeFile, 'bob'),
      ...submissions({ ...runFile, tests: [{ ...runFile.tests[1], name: '<img src=x onerror=alert(1)>' }] }, 'carol'),
    ],
    CATALOG,
  );
  const html = toClassReportHtml(report, { generatedAt: '2026-11-22T10:00:00.000Z', sources: 3 });

  it('escapes every name and message: a hostile learner name stays text', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(html).toContain('data-learner="&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"');
    // Self-contained and inert, as report.html.
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/(src|href)="(?!data:)/);
  });

  it('each cell says its verdict in words and a mark, with the score, and lists the failing checks in its title', () => {
    expect(html).toMatch(/<td class="cell pass" data-exercise="redis-pubsub-notifier" data-verdict="pass" title="PASSED, 3\/3 points[^"]*"><span class="mark" aria-hidden="true">✔<\/span> <span class="label">PASSED<\/span> <span class="score">3\/3<\/span><\/td>/);
    expect(html).toContain('title="NOT YET, 0/4 points\nFailing: Poison messages end in the dead-letter queue\nUndecided: Nothing is lost\ngraded 2026-11-21T09:00:00.000Z"');
    expect(html).toContain('<span class="label">not submitted</span>');
    const cell = report.learners.find((l) => l.name === 'bob')?.cells['rabbitmq-retry-worker'];
    expect(cellTitle(cell!)).toContain('Failing: Poison messages end in the dead-letter queue');
  });

  it('a summary per exercise and "Where the class is stuck" with the hints', () => {
    expect(html).toContain('<td class="summary" data-exercise="redis-pubsub-notifier"><span class="passed"><strong>1/3</strong> passed</span>');
    expect(html).toContain('most failed: <strong>Every notification gets through</strong>');
    expect(html).toContain('<h2>Where the class is stuck');
    expect(html).toContain('<li class="stuck-check" data-exercise="redis-pubsub-notifier" data-check="no-lost-messages">');
    expect(html).toContain('<p class="hint"><strong>Hint</strong> Subscribe before you publish.</p>');
    expect(html).toContain('<strong>2</strong> of 3 learners');
  });

  it('nobody stuck: says so', () => {
    const passed = buildClassReport(submissions(gradeFile, 'bob').slice(0, 1), CATALOG);
    expect(toClassReportHtml(passed, { generatedAt: 't', sources: 1 })).toContain('Nowhere: no learner fails any check.');
  });
});

describe('the console', () => {
  it('a compact grid with marks and scores, the passed row, and the top stuck checks with hints', () => {
    const report = buildClassReport([...submissions(runFile, 'alice'), ...submissions(gradeFile, 'bob')], CATALOG);
    expect(toClassReportText(report)).toBe(
      [
        'Class report: 2 learners, 2 exercises',
        '',
        'learner  redis-pubsub-notifier  rabbitmq-retry-worker  total',
        'alice    ✘ 1/3                  –                      1/7',
        'bob      ✔ 3/3                  ✘ 0/4                  3/7',
        'passed   1/2                    0/2',
        '',
        // One learner each: 1 of the 1 who tried is a larger share than 1 of 2, so it is first.
        'Where the class is stuck:',
        '  1/1  rabbitmq-retry-worker › Poison messages end in the dead-letter queue (dead-lettered)',
        '        Reject with requeue=false after the last retry.',
        '  1/2  redis-pubsub-notifier › Every notification gets through (no-lost-messages)',
        '        Subscribe before you publish.',
      ].join('\n'),
    );
  });
});
