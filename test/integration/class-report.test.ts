// `brokerlab class report` as a mentor uses it: a folder of learners' downloaded results (both
// shapes: single runs of `brokerlab check` and the combined file of `brokerlab grade`, plus
// some JSON that is not ours), merged by the real CLI, and class-report.html opened in headless
// Chromium: the grid, the stuck section, no errors, nothing loaded.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { REPO, cli, isOneCleanLine, tempDir } from '../helpers.js';

// Debian's Chromium (scripts/install.sh installs it); playwright-core never downloads one.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const HOSTILE = '<script>alert("x")</script>';
const REDIS_HINT = 'Some orders got no notification. Publish one JSON notification per order.';
const DLQ_HINT = 'A task that keeps failing must be attempted exactly MAX_ATTEMPTS times and then land in DEAD_LETTER_QUEUE.';

type Status = 'pass' | 'fail' | 'error';
const REDIS_CHECKS: Array<[string, string, number, string]> = [
  ['subscribed', 'Subscribes to the orders channel', 1, 'Nobody subscribed to ORDERS_CHANNEL.'],
  ['no-lost-messages', 'Every notification gets through', 2, REDIS_HINT],
  ['no-duplicates', 'Each notification arrives once', 1, 'Subscribe once.'],
];
const RABBIT_CHECKS: Array<[string, string, number, string]> = [
  ['no-lost-messages', 'No task is lost when the worker dies', 3, 'Consume with noAck: false.'],
  ['dead-lettered-after-attempts', 'Failing tasks are dead-lettered after MAX_ATTEMPTS', 3, DLQ_HINT],
];
const KAFKA_CHECKS: Array<[string, string, number, string]> = [['no-lost-messages', 'No payment is lost when a copy dies', 3, 'Commit after booking.']];

function tests(checks: Array<[string, string, number, string]>, failing: string[], prefix = '', titlePrefix = '') {
  return checks.map(([name, title, weight, hint]) => {
    const status: Status = failing.includes(name) ? 'fail' : 'pass';
    return {
      name: `${titlePrefix}${title}`,
      status,
      ...(status === 'fail' ? { message: `Expected: all.\nObserved: some missing.\nHint: ${hint}` } : {}),
      test_code: `${prefix}${name}`,
      score: status === 'pass' ? weight : 0,
      max_score: weight,
    };
  });
}

/** results.json of one `brokerlab check` run. */
function runResults(exercise: string, runId: string, checks: Array<[string, string, number, string]>, failing: string[]) {
  const t = tests(checks, failing);
  const earned = t.reduce((s, x) => s + x.score, 0);
  const max = t.reduce((s, x) => s + x.max_score, 0);
  const verdict = failing.length === 0 ? 'pass' : 'fail';
  return {
    version: 3,
    status: verdict,
    tests: t,
    brokerlab: { runId, exercise, solution: `exercises/${exercise}/x.ts`, verdict, summary: `${failing.length} failed`, score: { earned, max }, durationMs: 3000, runDir: `/w/${runId}`, notes: [] },
  };
}

/** The combined results.json of `brokerlab grade`. */
function gradeResults(learner: string | undefined, gradedAt: string, exercises: Array<{ id: string; title: string; week: string; checks: Array<[string, string, number, string]>; failing: string[] }>) {
  const all = exercises.flatMap((e) => tests(e.checks, e.failing, `${e.id}/`, `${e.title}: `));
  return {
    version: 3,
    status: exercises.some((e) => e.failing.length > 0) ? 'fail' : 'pass',
    tests: all,
    score: all.reduce((s, x) => s + x.score, 0),
    max_score: all.reduce((s, x) => s + x.max_score, 0),
    brokerlab: {
      kind: 'grade',
      version: '0.1.0',
      ...(learner ? { learner } : {}),
      gradedAt,
      exercises: exercises.map((e) => {
        const t = tests(e.checks, e.failing);
        return {
          exercise: e.id,
          title: e.title,
          week: e.week,
          verdict: e.failing.length === 0 ? 'pass' : 'fail',
          summary: `${e.failing.length} failed`,
          score: { earned: t.reduce((s, x) => s + x.score, 0), max: t.reduce((s, x) => s + x.max_score, 0) },
          durationMs: 5000,
          runId: `${gradedAt}-${e.id}`,
          runDir: `/ci/${e.id}`,
        };
      }),
    },
  };
}

const REDIS = { id: 'redis-pubsub-notifier', title: 'Redis Pub/Sub notifier', week: '1', checks: REDIS_CHECKS };
const RABBIT = { id: 'rabbitmq-retry-worker', title: 'RabbitMQ worker: acks, retries, dead letters', week: '2', checks: RABBIT_CHECKS };
const KAFKA = { id: 'kafka-consumer-group', title: 'Kafka consumer group: share, rebalance, lose nothing', week: '4-5', checks: KAFKA_CHECKS };

const validResults = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(path.join(REPO, 'schemas', 'results.schema.json'), 'utf8')));

function write(file: string, content: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

/** A mentor's download folder: four learners, both shapes, and two files that are not ours. */
function classFolder(): string {
  const root = path.join(tempDir('brokerlab-class-'), 'submissions');
  // alice: two runs of one exercise from her workspace; the later one passed.
  write(path.join(root, 'alice', '.brokerlab', 'runs', 'a1', 'results.json'), runResults(REDIS.id, '20261120-090000-aaaa-redis-pubsub-notifier', REDIS_CHECKS, ['no-lost-messages']));
  write(path.join(root, 'alice', '.brokerlab', 'runs', 'a2', 'results.json'), runResults(REDIS.id, '20261121-090000-bbbb-redis-pubsub-notifier', REDIS_CHECKS, []));
  write(path.join(root, 'alice', '.brokerlab', 'runs', 'a3', 'results.json'), runResults(RABBIT.id, '20261121-100000-cccc-rabbitmq-retry-worker', RABBIT_CHECKS, ['dead-lettered-after-attempts']));
  // bob: a CI artifact of `brokerlab grade`, which names him (GITHUB_ACTOR).
  write(path.join(root, 'bob-artifact', 'brokerlab-results', 'results.json'), gradeResults('bob', '2026-11-21T12:00:00.000Z', [
    { ...REDIS, failing: ['no-lost-messages'] },
    { ...RABBIT, failing: ['dead-lettered-after-attempts', 'no-lost-messages'] },
  ]));
  // carol: a grade file without a learner: her folder names her.
  write(path.join(root, 'carol', 'results.json'), gradeResults(undefined, '2026-11-22T08:00:00.000Z', [
    { ...REDIS, failing: [] },
    { ...RABBIT, failing: ['dead-lettered-after-attempts'] },
    { ...KAFKA, failing: [] },
  ]));
  // A learner whose name is an attack on the page.
  write(path.join(root, 'mallory', 'results.json'), gradeResults(HOSTILE, '2026-11-22T09:00:00.000Z', [{ ...REDIS, failing: ['no-lost-messages', 'no-duplicates'] }]));
  // Every fixture above is a real results.json of its kind, as brokerlab writes them.
  for (const learner of ['alice/.brokerlab/runs/a1', 'alice/.brokerlab/runs/a3', 'bob-artifact/brokerlab-results', 'carol', 'mallory']) {
    const json = JSON.parse(readFileSync(path.join(root, learner, 'results.json'), 'utf8'));
    if (!validResults(json)) throw new Error(`fixture ${learner}: ${JSON.stringify(validResults.errors)}`);
  }
  // Not ours: skipped with a warning each.
  write(path.join(root, 'erin', 'results.json'), { name: 'some-other-tool', version: '1.0.0' });
  write(path.join(root, 'frank', 'results.json'), '{ "version": 3, "tests": [');
  return root;
}

describe('brokerlab class report', () => {
  it('has --json and --quiet', async () => {
    const r = await cli(['class', 'report', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toContain('--quiet');
  });

  it('bad input: a missing path, or nothing usable, is exit 2 with one line', async () => {
    const missing = await cli(['class', 'report', '/nonexistent']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/nonexistent: no such file or folder');
    expect(isOneCleanLine(missing.stderr)).toBe(true);
    expect(missing.stdout).toBe('');

    // A usage error inside the `class` group is exit 2 as well (not commander's own exit 1).
    const noArgs = await cli(['class', 'report']);
    expect(noArgs.code).toBe(2);
    expect(noArgs.stderr).toContain("missing required argument 'results'");

    const junk = tempDir('brokerlab-class-junk-');
    write(path.join(junk, 'x', 'results.json'), { hello: 'world' });
    const none = await cli(['class', 'report', junk, '--out', path.join(junk, 'out')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`brokerlab: skipped ${path.join(junk, 'x', 'results.json')}: not a results.json`);
    expect(none.stderr).toContain('brokerlab: no usable results.json in');
    expect(none.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(junk, 'out'))).toBe(false);
  });

  it('merges a class folder into class-report.html and .csv; the page renders in Chromium with the grid and where the class is stuck', async () => {
    // Fail, never skip: a skipped browser test would hide that the report is unchecked.
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing: ${CHROMIUM} not found. Install it with \`apt-get install -y chromium\` (scripts/install.sh does it when run as root).`);
    const root = classFolder();
    const out = path.join(path.dirname(root), 'dashboard');

    const r = await cli(['class', 'report', root, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    // One warning line per file that is not ours, naming it.
    const warnings = r.stderr.trim().split('\n');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^brokerlab: skipped .*erin\/results\.json: not a results\.json/);
    expect(warnings[1]).toMatch(/^brokerlab: skipped .*frank\/results\.json: not valid JSON/);
    // The console: the grid (learners alphabetically, exercises by week) and the top stuck check.
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Class report: 4 learners, 3 exercises');
    expect(lines[2]).toMatch(/^learner\s+redis-pubsub-notifier\s+rabbitmq-retry-worker\s+kafka-consumer-group\s+total$/);
    expect(lines[3]).toMatch(/^<script>alert\("x"\)<\/scr…\s+✘ 1\/4\s+–\s+–\s+1\/13$/);
    expect(lines[4]).toMatch(/^alice\s+✔ 4\/4\s+✘ 3\/6\s+–\s+7\/13$/);
    expect(lines[5]).toMatch(/^bob\s+✘ 2\/4\s+✘ 0\/6\s+–\s+2\/13$/);
    expect(lines[6]).toMatch(/^carol\s+✔ 4\/4\s+✘ 3\/6\s+✔ 3\/3\s+10\/13$/);
    expect(lines[7]).toMatch(/^passed\s+2\/4\s+0\/4\s+1\/4$/);
    expect(r.stdout).toContain('Where the class is stuck:\n  3/3  rabbitmq-retry-worker › Failing tasks are dead-lettered after MAX_ATTEMPTS (dead-lettered-after-attempts)');
    expect(r.stdout).toContain(`wrote ${path.join(out, 'class-report.html')}`);

    // The CSV: one row per learner, RFC 4180 quoting of the hostile name.
    expect(readFileSync(path.join(out, 'class-report.csv'), 'utf8')).toBe(
      [
        'learner,redis-pubsub-notifier,rabbitmq-retry-worker,kafka-consumer-group,total,max',
        '"<script>alert(""x"")</script>",1,,,1,13',
        'alice,4,3,,7,13',
        'bob,2,0,,2,13',
        'carol,4,3,3,10,13',
        '',
      ].join('\r\n'),
    );

    // --json: the merged model; --quiet: only the page's path.
    const json = JSON.parse((await cli(['class', 'report', root, '--out', out, '--json'])).stdout);
    expect(json.learners.map((l: { name: string }) => l.name)).toEqual([HOSTILE, 'alice', 'bob', 'carol']);
    expect(json.exercises.map((e: { id: string; passed: number }) => [e.id, e.passed])).toEqual([
      ['redis-pubsub-notifier', 2],
      ['rabbitmq-retry-worker', 0],
      ['kafka-consumer-group', 1],
    ]);
    expect(json.learners[1].cells['redis-pubsub-notifier']).toMatchObject({ verdict: 'pass', runId: '20261121-090000-bbbb-redis-pubsub-notifier' });
    expect(json.skipped).toHaveLength(2);
    expect(json.files).toEqual({ html: path.join(out, 'class-report.html'), csv: path.join(out, 'class-report.csv') });
    const quiet = await cli(['class', 'report', path.join(root, 'carol', 'results.json'), '--out', path.join(out, 'carol-only'), '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout.trim()).toBe(path.join(out, 'carol-only', 'class-report.html'));

    const html = path.join(out, 'class-report.html');
    const profile = mkdtempSync(path.join(tmpdir(), 'brokerlab-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const errors: string[] = [];
      const requests: string[] = [];
      const dialogs: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('request', (request) => requests.push(request.url()));
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(pathToFileURL(html).href);

      expect(await page.title()).toBe('Class report · 4 learners · brokerlab');
      // The grid: a row per learner, a cell per exercise, verdict in words and the score.
      expect(await page.locator('table.grid tbody tr').count()).toBe(4);
      expect(await page.locator('table.grid thead th[data-exercise]').allTextContents()).toEqual([
        'week 1Redis Pub/Sub notifierredis-pubsub-notifier',
        'week 2RabbitMQ worker: acks, retries, dead lettersrabbitmq-retry-worker',
        'week 4-5Kafka consumer group: share, rebalance, lose nothingkafka-consumer-group',
      ]);
      const cell = (learner: string, exercise: string) => page.locator(`tr[data-learner="${learner}"] td[data-exercise="${exercise}"]`);
      expect(await cell('alice', REDIS.id).textContent()).toBe('✔ PASSED 4/4');
      expect(await cell('alice', REDIS.id).getAttribute('data-verdict')).toBe('pass');
      expect(await cell('bob', RABBIT.id).textContent()).toBe('✘ NOT YET 0/6 2 checks failing');
      expect(await cell('bob', RABBIT.id).getAttribute('title')).toContain('Failing: No task is lost when the worker dies; Failing tasks are dead-lettered after MAX_ATTEMPTS');
      expect(await cell('bob', KAFKA.id).textContent()).toBe('– not submitted');
      expect(await cell('carol', KAFKA.id).textContent()).toBe('✔ PASSED 3/3');
      // Not colour alone: a pass and a fail cell differ in colour as well as in words.
      // Through the element's window: this TypeScript has no DOM globals, the page has.
      const colour = (l: string, e: string) => cell(l, e).evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).backgroundColor);
      expect(await colour('alice', REDIS.id)).toMatch(/^rgb/);
      expect(await colour('alice', REDIS.id)).not.toBe(await colour('bob', REDIS.id));
      // The hostile name is shown as text, and nothing ran.
      expect(await page.locator('table.grid tbody th').first().textContent()).toBe(HOSTILE);
      expect(dialogs).toEqual([]);
      // The per-exercise summary.
      expect(await page.locator(`tfoot td[data-exercise="${RABBIT.id}"]`).textContent()).toBe(
        '0/4 passed (3 submitted)most failed: Failing tasks are dead-lettered after MAX_ATTEMPTS dead-lettered-after-attempts (3 of 3)',
      );

      // Where the class is stuck: the check failed by the most learners first, with its hint.
      const stuck = page.locator('#stuck li.stuck-check');
      expect(await page.locator('#stuck h2').textContent()).toContain('Where the class is stuck');
      expect(await stuck.count()).toBe(4);
      expect(await stuck.first().getAttribute('data-check')).toBe('dead-lettered-after-attempts');
      expect(await stuck.first().locator('.count').textContent()).toBe('3 of 3 learners');
      expect(await stuck.first().locator('.hint').textContent()).toBe(`Hint ${DLQ_HINT}`);
      expect(await stuck.first().locator('.who').textContent()).toBe('failing: alice, bob, carol');
      expect(await stuck.nth(1).getAttribute('data-check')).toBe('no-lost-messages');
      expect(await stuck.nth(1).getAttribute('data-exercise')).toBe(REDIS.id);
      expect(await stuck.nth(1).locator('.hint').textContent()).toBe(`Hint ${REDIS_HINT}`);
      expect(await stuck.first().isVisible()).toBe(true);

      const shot = path.join(path.dirname(root), 'class-report.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`class report screenshot: ${shot}`);
      expect(errors).toEqual([]);
      // Self-contained: the page itself is the only thing loaded.
      expect(requests).toEqual([pathToFileURL(html).href]);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
