// `brokerlab grade` end to end: the real binary grading the Redis and RabbitMQ pilots side by
// side against the real brokers, its files validated against the shipped schemas, GitHub
// Actions output, exit codes, Ctrl-C. (The Kafka pilot is left out: it is the slow one.)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { findExercise } from '../../src/catalog/load.js';
import { runNamespaceOf } from '../../src/namespaces/names.js';
import { maxScoreOf } from '../../src/reporters/grade-model.js';
import { describe, expect, it } from 'vitest';
import { BIN, REPO, cli, isOneCleanLine, tempDir, tempProgressFile, tempRunsDir } from '../helpers.js';
import { leftovers } from './leftovers.js';

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(path.join(REPO, 'schemas', 'results.schema.json'), 'utf8')));
const WRONG = 'scenarios/redis-pubsub-notifier/wrong/async-handler-reorders.ts';

function expectValidJson(file: string): void {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  expect(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
}

function expectValidJunit(file: string): void {
  // xmllint exits non-zero (and execFileSync throws, quoting its complaint) when invalid.
  execFileSync('xmllint', ['--noout', '--schema', path.join(REPO, 'schemas', 'junit.xsd'), file], { stdio: 'pipe' });
}

/** What these runs left in the brokers. Only our own namespaces: other tests may be running. */
async function ourLeftovers(runIds: string[]): Promise<string[]> {
  const namespaces = runIds.map(runNamespaceOf);
  return (await leftovers()).filter((name) => namespaces.some((ns) => name.includes(ns)));
}

/** Live processes started for this test's runs, by pid, except `except`: they inherit the
 *  GRADE_TEST_RUNS variable the test sets (brokerlab passes no BROKERLAB_* setting on to
 *  learners). Other tests may run the same reference files meanwhile. */
function ourProcesses(runsDir: string, except: number | undefined): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === except) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`GRADE_TEST_RUNS=${runsDir}`)) pids.push(Number(name));
    } catch {
      // gone already, or not ours to read
    }
  }
  return pids;
}

interface Combined {
  status: string;
  score: number;
  max_score: number;
  tests: Array<{ test_code: string; status: string; score: number; max_score: number }>;
  brokerlab: { kind: string; learner?: string; exercises: Array<{ exercise: string; verdict: string; runId: string; runDir: string; score: { earned: number; max: number } }> };
}

describe('brokerlab grade', () => {
  it('grades two exercises side by side: exit 0, every file written and valid, full marks', async () => {
    const out = tempDir('brokerlab-grade-');
    const runsDir = tempRunsDir();
    const progress = tempProgressFile();
    const r = await cli(['grade', 'redis-pubsub-notifier', 'rabbitmq-retry-worker', '--solution', 'reference', '--parallel', '2', '--out', out], {
      BROKERLAB_RUNS_DIR: runsDir,
      BROKERLAB_PROGRESS: progress,
      GITHUB_ACTIONS: '',
      GITHUB_OUTPUT: '',
      GITHUB_ACTOR: '',
    });
    expect(r.code, r.stderr).toBe(0);
    // Progress lines say whose they are; both runs were under way at the same time.
    expect(r.stderr).toContain('[redis-pubsub-notifier] starting your program');
    expect(r.stderr).toContain('[rabbitmq-retry-worker] starting your program');
    const lines = r.stderr.split('\n');
    const firstDone = lines.findIndex((l) => /\] passed, /.test(l));
    expect(lines.findIndex((l) => l.includes('[rabbitmq-retry-worker] starting your program'))).toBeLessThan(firstDone);
    expect(lines.findIndex((l) => l.includes('[redis-pubsub-notifier] starting your program'))).toBeLessThan(firstDone);

    const points = (id: string) => maxScoreOf(findExercise(id));
    const total = points('redis-pubsub-notifier') + points('rabbitmq-retry-worker');
    expect(r.stdout).toMatch(new RegExp(`✔ PASSED +redis-pubsub-notifier +${points('redis-pubsub-notifier')}/${points('redis-pubsub-notifier')}`));
    expect(r.stdout).toMatch(new RegExp(`✔ PASSED +rabbitmq-retry-worker +${points('rabbitmq-retry-worker')}/${points('rabbitmq-retry-worker')}`));
    expect(r.stdout).toContain(`Total: ${total}/${total}`);

    for (const file of ['results.json', 'junit.xml', 'classroom.json', 'classroom.b64']) expect(existsSync(path.join(out, file)), file).toBe(true);
    const combined = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Combined;
    expect(combined).toMatchObject({ status: 'pass', score: total, max_score: total, brokerlab: { kind: 'grade' } });
    expect(combined.brokerlab).not.toHaveProperty('learner');
    expect(combined.brokerlab.exercises.map((e) => e.exercise)).toEqual(['redis-pubsub-notifier', 'rabbitmq-retry-worker']);
    expect(combined.tests.every((t) => t.status === 'pass' && t.score === t.max_score)).toBe(true);
    expectValidJson(path.join(out, 'results.json'));
    expectValidJunit(path.join(out, 'junit.xml'));
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8').match(/<testsuite /g)).toHaveLength(2);
    const classroom = JSON.parse(readFileSync(path.join(out, 'classroom.json'), 'utf8'));
    expect(JSON.parse(Buffer.from(readFileSync(path.join(out, 'classroom.b64'), 'utf8').trim(), 'base64').toString('utf8'))).toEqual(classroom);
    expect(classroom).toMatchObject({ version: 1, status: 'pass', max_score: total });

    // Each run keeps its own artifacts, per-run results.json and junit.xml valid too.
    for (const exercise of combined.brokerlab.exercises) {
      expect(path.dirname(exercise.runDir)).toBe(runsDir);
      expectValidJson(path.join(exercise.runDir, 'results.json'));
      expectValidJunit(path.join(exercise.runDir, 'junit.xml'));
    }
    expect(existsSync(path.join(runsDir, 'latest', 'results.json'))).toBe(true);
    // The reference is not the learner's work: no progress recorded.
    expect(existsSync(progress)).toBe(false);
    expect(await ourLeftovers(combined.brokerlab.exercises.map((e) => e.runId))).toEqual([]);
  });

  it('a wrong solution: exit 1 with partial credit; in GitHub Actions, annotations, a job summary and the Classroom result', async () => {
    const out = tempDir('brokerlab-grade-');
    const github = tempDir('brokerlab-github-');
    const summary = path.join(github, 'summary.md');
    const output = path.join(github, 'output');
    writeFileSync(summary, '# an earlier step\n');
    writeFileSync(output, 'earlier=1\n');
    const r = await cli(['grade', 'redis-pubsub-notifier', '--solution', WRONG, '--out', out, '--quiet'], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      GITHUB_WORKSPACE: REPO,
      GITHUB_ACTOR: 'octocat',
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe(''); // --quiet: no progress; a failing exercise is not an error
    const combined = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Combined;
    expect(combined.status).toBe('fail');
    expect(combined.score).toBeGreaterThan(0);
    expect(combined.score).toBeLessThan(combined.max_score);
    expect(combined.brokerlab.learner).toBe('octocat');
    expect(combined.tests.find((t) => t.test_code === 'redis-pubsub-notifier/in-order')).toMatchObject({ status: 'fail', score: 0 });
    expectValidJson(path.join(out, 'results.json'));
    expectValidJunit(path.join(out, 'junit.xml'));
    expect(r.stdout).toContain(`Total: ${combined.score}/${combined.max_score}`);
    expect(r.stdout).toContain('✘ Notifications arrive in the order they were sent: ');

    // One ::error per failing check, on the graded file, with escaped properties.
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations.length).toBeGreaterThanOrEqual(1);
    expect(annotations).toContainEqual(
      expect.stringMatching(new RegExp(`^::error file=${WRONG.replace(/[./]/g, '\\$&')},title=Redis Pub/Sub notifier%3A Notifications arrive in the order they were sent::.+%0AHint: `)),
    );

    const summaryText = readFileSync(summary, 'utf8');
    expect(summaryText.startsWith('# an earlier step\n## brokerlab grade: ')).toBe(true);
    expect(summaryText).toContain('| Redis Pub/Sub notifier (`redis-pubsub-notifier`) | 1 | ❌ not yet |');
    expect(summaryText).toContain('- ❌ **Notifications arrive in the order they were sent**');
    expect(summaryText).toContain('  - Hint: ');

    const outputLines = readFileSync(output, 'utf8').trim().split('\n');
    expect(outputLines[0]).toBe('earlier=1');
    const result = outputLines.find((l) => l.startsWith('result='));
    expect(result).toBeDefined();
    const decoded = JSON.parse(Buffer.from((result as string).slice('result='.length), 'base64').toString('utf8'));
    expect(decoded).toMatchObject({ version: 1, status: 'fail', max_score: combined.max_score });
    expect(decoded.tests.reduce((sum: number, t: { score: number }) => sum + t.score, 0)).toBe(combined.score);
    expect(decoded.tests[0]).toMatchObject({ filename: WRONG, line_no: 0 });
    expect(await ourLeftovers(combined.brokerlab.exercises.map((e) => e.runId))).toEqual([]);
  });

  it('--json: stdout is the combined results.json; annotations go to stderr', async () => {
    const out = tempDir('brokerlab-grade-');
    const r = await cli(['grade', 'redis-pubsub-notifier', '--solution', WRONG, '--out', out, '--json'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: '', GITHUB_OUTPUT: '' });
    expect(r.code).toBe(1);
    const printed = JSON.parse(r.stdout);
    expect(printed).toEqual(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')));
    expect(r.stderr).toMatch(/^::error file=.*async-handler-reorders\.ts,title=/m);
  });

  it('bad input: one line, exit 2, nothing run', async () => {
    const week = await cli(['grade', '--week', '99']);
    expect(week.code).toBe(2);
    expect(week.stderr.trim()).toBe('brokerlab: there is no week "99" in the plan: weeks go from 1 to 14 (`brokerlab progress` shows them).');
    expect(isOneCleanLine(week.stderr)).toBe(true);

    const unknown = await cli(['grade', 'redis-pubsub']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown exercise "redis-pubsub". Did you mean redis-pubsub-notifier?');

    const parallel = await cli(['grade', 'redis-pubsub-notifier', '--parallel', '9']);
    expect(parallel.code).toBe(2);
    expect(parallel.stderr).toContain('must be a whole number from 1 to 8');

    // A fresh progress file: nothing started yet.
    const nothing = await cli(['grade']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to grade yet: your progress lists no exercise as started.');
    // ... unless CI asked for that to be fine (a new workspace's first push).
    const emptyOut = tempDir('brokerlab-grade-');
    const allowed = await cli(['grade', '--allow-empty', '--out', emptyOut]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('Nothing to grade yet');
    expect(JSON.parse(readFileSync(path.join(emptyOut, 'results.json'), 'utf8'))).toMatchObject({ tests: [], score: 0, max_score: 0 });

    const help = await cli(['grade', '--help']);
    expect(help.stdout).toContain('--json');
    expect(help.stdout).toContain('--quiet');
    expect((await cli(['dev', 'check', '--help'])).stdout).toContain('--parallel <n>');
  });

  it('Ctrl-C stops every run, cleans up and exits 130', async () => {
    const runsDir = tempRunsDir();
    const out = tempDir('brokerlab-grade-');
    // The starters: they run for several seconds (the references are done in about two),
    // so both runs are surely still going when Ctrl-C comes.
    const child = spawn(process.execPath, [BIN, 'grade', 'redis-pubsub-notifier', 'rabbitmq-retry-worker', '--solution', 'starter', '--out', out], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1', BROKERLAB_RUNS_DIR: runsDir, GRADE_TEST_RUNS: runsDir, BROKERLAB_PROGRESS: tempProgressFile() },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      while (!(stderr.includes('[redis-pubsub-notifier] starting your program') && stderr.includes('[rabbitmq-retry-worker] starting your program'))) await sleep(50);
      // The learners of both runs are running (each appears once its process has started).
      for (let waited = 0; ourProcesses(runsDir, child.pid).length < 2 && waited < 10_000; waited += 100) await sleep(100);
      expect(ourProcesses(runsDir, child.pid).length).toBeGreaterThanOrEqual(2);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
    } finally {
      // A failed expectation above must not leave the grading running into the next tests.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await exited;
      }
    }
    expect(stderr).toContain('cleaning up');
    expect(ourProcesses(runsDir, undefined)).toEqual([]);
    expect(existsSync(path.join(out, 'results.json'))).toBe(false);
    const runIds = readdirSync(runsDir).filter((name) => name !== 'latest');
    expect(runIds).toHaveLength(2);
    expect(await ourLeftovers(runIds)).toEqual([]);
  });
});
