/**
 * Bad input and hostile environments: the matrix every command must pass. THE TABLE BELOW IS
 * THE DOCUMENTATION: each row is what a user (or a broken machine, or a learner's misbehaving
 * program) does, the exit code brokerlab answers with, and the line it prints.
 *
 * Every case, besides its own row, must (see `expectCleanCase`):
 * - exit within its bound (20 s unless the row says otherwise; a hang is killed and fails);
 * - exit with the documented code (README, Exit codes) and print the line of its row;
 * - print no stack trace, no "internal error", no raw control characters, and, for a usage
 *   (2) or environment (4) error, one line and its hint (at most 3 lines in all);
 * - leave no process behind: every process it started, learner programs and their children
 *   included, carries this case's BADINPUT_MARK in /proc/<pid>/environ, and none may be
 *   alive afterwards;
 * - leave no half-written file (no *.tmp) in the folders it used, and no names in the brokers
 *   under the namespaces of the runs it made (only this test's runs are counted: CI and other
 *   work may share the brokers);
 * - leave brokerlab working: `brokerlab list --json` right after it succeeds.
 *
 * Commands come from `--help` (as the --json/--quiet test finds them): a command with no row
 * here fails the first test, so a new command cannot slip past the matrix.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { rabbitmq } from '../../src/brokers/rabbitmq.js';
import { toxiproxy } from '../../src/brokers/toxiproxy.js';
import { toxiproxyApi } from '../../src/faults/toxiproxy.js';
import { runNamespaceOf } from '../../src/namespaces/names.js';
import { deleteKeys } from '../../src/namespaces/redis.js';
import { leftovers } from '../../src/namespaces/sweep.js';
import { brokerlabHome } from '../../src/paths.js';
import { LOG_HEAD_BYTES, LOG_TAIL_BYTES } from '../../src/runner/capped-log.js';
import { BIN, REPO, tempDir } from '../helpers.js';

const MISBEHAVE = path.join(REPO, 'test', 'fixtures', 'misbehave');
const CRASH_AT_START = path.join(REPO, 'test', 'fixtures', 'crash-at-start.ts');
const REDIS_URL = 'redis://127.0.0.1:6379';
const ADMIN_ENV = { BROKERLAB_REDIS_URL: REDIS_URL, BROKERLAB_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672' };
const CLOSED = { BROKERLAB_REDIS_URL: 'redis://127.0.0.1:1' }; // nothing listens on port 1
const DEFAULT_BOUND_MS = 20_000;

/** What a case may use: its own empty folder, its process marker, values its setup made. */
interface Ctx {
  dir: string;
  mark: string;
  /** Filled by setup, read by argv/env/verify (a roster's suffix, a pids file). */
  vars: Record<string, string>;
}

type Lazy<T> = T | ((ctx: Ctx) => T);

interface Case {
  name: string;
  argv: Lazy<string[]>;
  /** Added to the environment; undefined removes a variable. */
  env?: Lazy<Record<string, string | undefined>>;
  /** Default: the repository (relative fixture paths work). */
  cwd?: Lazy<string>;
  setup?: (ctx: Ctx) => void | Promise<void>;
  /** stdin at end of file from the start (default: an open pipe nobody writes to). */
  stdinClosed?: true;
  /** A signal at a random moment: `randomMs` after the first output line matching `after`
   *  (after the start without it), and once `ready` holds when given (polled); `twice`: the
   *  second one 200 ms later. */
  signal?: { send: 'SIGTERM' | 'SIGINT'; after?: RegExp; randomMs: [number, number]; twice?: true; ready?: (ctx: Ctx) => boolean };
  expectCode: number;
  /** A line of its output (stderr or stdout) must match. */
  expectLine: RegExp;
  boundMs?: number;
  /** The one case that may leave names in the brokers: a second Ctrl-C skips cleanup by design. */
  leavesNames?: true;
  verify?: (ctx: Ctx, r: Outcome) => void | Promise<void>;
  /** Runs even when the case failed: undoes what a failed case may have left (a started broker). */
  finally?: (ctx: Ctx) => void | Promise<void>;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  hung: boolean;
  /** For signal cases: when it was sent ("SIGTERM 1234 ms after ..."), or why it was not. */
  signalNote?: string;
  signalSent?: boolean;
}

const resolve = <T,>(value: Lazy<T> | undefined, ctx: Ctx): T | undefined => (typeof value === 'function' ? (value as (c: Ctx) => T)(ctx) : value);
const random = ([min, max]: [number, number]): number => Math.round(min + Math.random() * (max - min));

/** A roster of `n` learners named bi-<suffix>-<i>, unique to this case. */
function roster(ctx: Ctx, n: number): string {
  ctx.vars.suffix = randomUUID().slice(0, 6);
  const file = path.join(ctx.dir, 'roster.csv');
  writeFileSync(file, ['learner', ...Array.from({ length: n }, (_, i) => `bi-${ctx.vars.suffix}-${i + 1}`)].join('\n') + '\n');
  return file;
}

/** A copy of brokerlab's package (code, scenarios, labs, compose) to damage without touching this one. */
function packageCopy(ctx: Ctx): string {
  const copy = path.join(ctx.dir, 'brokerlab');
  mkdirSync(copy);
  for (const part of ['bin', 'dist', 'scenarios', 'labs', 'schemas', 'compose', 'package.json']) cpSync(path.join(REPO, part), path.join(copy, part), { recursive: true });
  symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
  return copy;
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

/** Pids of $MISBEHAVE_PIDS still alive (zombies are dead: they only wait to be reaped). */
function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  });
}

async function redisUsersWith(suffix: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL);
  try {
    return ((await redis.call('ACL', 'USERS')) as string[]).filter((u) => u.includes(suffix));
  } finally {
    redis.disconnect();
  }
}

async function rabbitVhostsWith(suffix: string): Promise<string[]> {
  const response = await fetch('http://127.0.0.1:15672/api/vhosts', { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } });
  return ((await response.json()) as Array<{ name: string }>).map((v) => v.name).filter((name) => name.includes(suffix));
}

async function benchNames(): Promise<string[]> {
  const redis = new Redis(REDIS_URL);
  try {
    return await redis.keys('bl-bench-*');
  } finally {
    redis.disconnect();
  }
}

const runsOf = (r: Outcome): string => r.stdout + r.stderr;
const resultsOf = (r: Outcome) => JSON.parse(r.stdout) as { status: string; brokerlab: { runDir: string; notes: string[] } };

// ---------------------------------------------------------------------------------------
// THE MATRIX
// ---------------------------------------------------------------------------------------

const CASES: Case[] = [
  // ---- bad flags and values: commander's line or brokerlab's, exit 2 ----
  { name: 'check: unknown option', argv: ['check', 'redis-pubsub-notifier', '--bogus'], expectCode: 2, expectLine: /^error: unknown option '--bogus'/ },
  { name: 'check: --seed that is not a number', argv: ['check', 'redis-pubsub-notifier', '--seed', 'banana'], expectCode: 2, expectLine: /argument 'banana' is invalid\. must be a whole number/ },
  { name: 'check: --cmd of blanks', argv: ['check', 'redis-pubsub-notifier', '--cmd', '   '], expectCode: 2, expectLine: /^brokerlab: --cmd is empty$/ },
  { name: 'dev check: --repeat -1 (was exit 1)', argv: ['dev', 'check', '--repeat', '-1'], expectCode: 2, expectLine: /argument '-1' is invalid\. must be a whole number >= 1/ },
  { name: 'dev check: --repeat 1.5', argv: ['dev', 'check', 'redis-pubsub-notifier', '--repeat', '1.5'], expectCode: 2, expectLine: /argument '1\.5' is invalid/ },
  { name: 'grade: --parallel 99', argv: ['grade', '--parallel', '99'], expectCode: 2, expectLine: /argument '99' is invalid\. must be a whole number from 1 to 8/ },
  { name: 'grade: --week 99', argv: ['grade', '--week', '99'], expectCode: 2, expectLine: /^brokerlab: there is no week "99" in the plan/ },
  { name: 'bench: --messages 0', argv: ['bench', 'redis', '--messages', '0'], expectCode: 2, expectLine: /argument '0' is invalid\. must be a whole number >= 1/ },
  { name: 'bench: --duration -3', argv: ['bench', 'redis', '--duration', '-3'], expectCode: 2, expectLine: /argument '-3' is invalid/ },
  { name: 'up: --timeout abc', argv: ['up', 'redis', '--timeout', 'abc'], expectCode: 2, expectLine: /^brokerlab: --timeout must be a positive number of seconds, not "abc"$/ },
  { name: 'up: unknown --runtime', argv: ['up', 'redis', '--runtime', 'dockerish'], expectCode: 2, expectLine: /^brokerlab: --runtime must be one of native, compose, external/ },
  { name: 'init: unknown --ci', argv: ['init', 'x', '--ci', 'bogus'], expectCode: 2, expectLine: /argument 'bogus' is invalid\. Allowed choices are/ },
  { name: 'reset: an exercise and --all', argv: ['reset', 'redis-pubsub-notifier', '--all'], expectCode: 2, expectLine: /^brokerlab: give either an exercise or --all, not both$/ },
  { name: 'workshop teardown: neither --learners nor --state', argv: ['workshop', 'teardown'], expectCode: 2, expectLine: /needs either --learners roster\.csv or --state DIR/ },
  { name: 'class report: no results named', argv: ['class', 'report'], expectCode: 2, expectLine: /missing required argument 'results'/ },
  { name: 'check: BROKERLAB_NAMESPACE that is not a name', argv: ['check', 'redis-pubsub-notifier', '--solution', 'reference'], env: { BROKERLAB_NAMESPACE: 'my name!' }, expectCode: 2, expectLine: /^brokerlab: BROKERLAB_NAMESPACE must be letters, digits/ },

  // ---- unknown ids ----
  { name: 'check: an empty exercise id', argv: ['check', ''], expectCode: 2, expectLine: /^brokerlab: unknown exercise ""\. Run `brokerlab list`/ },
  { name: 'hint: unknown exercise', argv: ['hint', 'redis-pubsub'], expectCode: 2, expectLine: /^brokerlab: unknown exercise "redis-pubsub"\. Did you mean redis-pubsub-notifier\?/ },
  { name: 'watch: unknown exercise', argv: ['watch', 'nosuch'], expectCode: 2, expectLine: /^brokerlab: unknown exercise "nosuch"/ },
  { name: 'dev check: unknown exercise', argv: ['dev', 'check', 'nosuch'], expectCode: 2, expectLine: /^brokerlab: unknown exercise "nosuch"/ },
  { name: 'report: unknown run', argv: ['report', 'no-such-run'], expectCode: 2, expectLine: /^brokerlab: no run "no-such-run" in .* \(no runs yet/ },
  { name: 'status: unknown broker', argv: ['status', 'nosuch'], expectCode: 2, expectLine: /^brokerlab: unknown broker "nosuch"; valid brokers are/ },
  // A home of its own: whatever happens, this never stops the brokers other work shares.
  { name: 'down: unknown broker', argv: ['down', 'nosuch'], env: (ctx) => ({ BROKERLAB_HOME: path.join(ctx.dir, 'home') }), expectCode: 2, expectLine: /^brokerlab: unknown broker "nosuch"; valid brokers are/ },
  { name: 'solution: unknown exercise', argv: ['solution', 'nosuch'], expectCode: 2, expectLine: /^brokerlab: unknown exercise "nosuch"/ },

  // ---- paths that cannot be used: one line, exit 2, nothing created ----
  {
    name: 'init /proc/forbidden (spun forever, deaf to SIGTERM)',
    argv: ['init', '/proc/forbidden'],
    expectCode: 2,
    expectLine: /^brokerlab: cannot create the folder \/proc\/forbidden: \/proc does not take new folders$/,
    boundMs: 10_000,
  },
  {
    name: 'init /dev/null/x (was "internal error: ENOTDIR", exit 70)',
    argv: ['init', '/dev/null/x'],
    expectCode: 2,
    expectLine: /^brokerlab: cannot create the folder \/dev\/null\/x: \/dev\/null is a file, not a folder$/,
  },
  {
    name: 'init: a file where the folder should be',
    setup: (ctx) => writeFileSync(path.join(ctx.dir, 'notes.txt'), 'mine\n'),
    argv: (ctx) => ['init', path.join(ctx.dir, 'notes.txt')],
    expectCode: 2,
    expectLine: /notes\.txt is a file, not a folder$/,
    verify: (ctx) => expect(readFileSync(path.join(ctx.dir, 'notes.txt'), 'utf8')).toBe('mine\n'),
  },
  {
    name: 'init: a folder under a file',
    setup: (ctx) => writeFileSync(path.join(ctx.dir, 'notes.txt'), 'mine\n'),
    argv: (ctx) => ['init', path.join(ctx.dir, 'notes.txt', 'workspace')],
    expectCode: 2,
    expectLine: /^brokerlab: cannot create the folder .*notes\.txt\/workspace: .*notes\.txt is a file, not a folder$/,
  },
  {
    name: 'init: a name with spaces and non-ASCII works, and so does the workspace',
    argv: (ctx) => ['init', path.join(ctx.dir, 'mon espace de travail ü ✓'), '--ci', 'none'],
    expectCode: 0,
    expectLine: /Your brokerlab workspace is ready in .*mon espace de travail ü ✓/,
    verify: async (ctx) => {
      const inside = await cli(ctx, ['progress', '--json'], { cwd: path.join(ctx.dir, 'mon espace de travail ü ✓') });
      expect(inside.code).toBe(0);
      expect(JSON.parse(inside.stdout).workspace).toBe(path.join(ctx.dir, 'mon espace de travail ü ✓'));
    },
  },
  {
    name: 'check: --solution in a folder with spaces and non-ASCII',
    setup: (ctx) => {
      mkdirSync(path.join(ctx.dir, 'mes solutions ü'));
      copyFileSync(CRASH_AT_START, path.join(ctx.dir, 'mes solutions ü', 'crash.ts'));
    },
    argv: (ctx) => ['check', 'redis-pubsub-notifier', '--solution', path.join(ctx.dir, 'mes solutions ü', 'crash.ts')],
    expectCode: 1,
    expectLine: /it exited with code 1 after [\d.]+s, before it was ready, saying "Error: Cannot read the config: ORDERS_CHANNEL is misspelt"/,
  },
  {
    name: 'check: --solution that is a folder',
    setup: (ctx) => mkdirSync(path.join(ctx.dir, 'solution')),
    argv: (ctx) => ['check', 'redis-pubsub-notifier', '--solution', path.join(ctx.dir, 'solution')],
    expectCode: 2,
    expectLine: /^brokerlab: don't know how to run solution \(known: \.ts/,
  },
  {
    name: 'check: BROKERLAB_RUNS_DIR under a file',
    argv: ['check', 'redis-pubsub-notifier', '--solution', 'reference'],
    env: { BROKERLAB_RUNS_DIR: '/dev/null/runs' },
    expectCode: 2,
    expectLine: /^brokerlab: cannot create the folder \/dev\/null\/runs: \/dev\/null is a file, not a folder$/,
  },
  {
    name: 'check: --junit where no file can be written',
    argv: ['check', 'redis-pubsub-notifier', '--solution', CRASH_AT_START, '--junit', '/proc/brokerlab/junit.xml'],
    expectCode: 2,
    expectLine: /^brokerlab: cannot copy \/proc\/brokerlab\/junit\.xml: there is no folder \/proc\/brokerlab$/,
  },
  {
    name: 'grade: --out under /proc, said before grading',
    argv: (ctx) => ['grade', 'redis-pubsub-notifier', '--solution', 'reference', '--out', '/proc/brokerlab-results', '--json'],
    expectCode: 2,
    expectLine: /^brokerlab: cannot create the folder \/proc\/brokerlab-results: \/proc does not take new folders$/,
  },
  {
    name: 'class report: --out under a file',
    setup: (ctx) => {
      mkdirSync(path.join(ctx.dir, 'alice'));
      writeFileSync(path.join(ctx.dir, 'alice', 'results.json'), JSON.stringify({ version: 3, status: 'fail', tests: [], brokerlab: { exercise: 'redis-pubsub-notifier', verdict: 'fail', score: { earned: 0, max: 5 } } }));
    },
    argv: (ctx) => ['class', 'report', ctx.dir, '--out', '/dev/null/class-report'],
    expectCode: 2,
    expectLine: /^brokerlab: cannot create the folder \/dev\/null\/class-report: \/dev\/null is a file, not a folder$/,
  },
  {
    name: 'progress: the progress file is a folder (was read as empty)',
    setup: (ctx) => mkdirSync(path.join(ctx.dir, 'progress.json')),
    argv: ['progress'],
    expectCode: 2,
    expectLine: /^brokerlab: cannot read your progress file .*progress\.json: it is a folder, not a file$/,
  },
  { name: 'workshop provision: the roster is a folder', argv: ['workshop', 'provision', '--learners', '/proc', '--brokers', 'redis'], env: ADMIN_ENV, expectCode: 2, expectLine: /^brokerlab: cannot read the roster \/proc: it is a folder, not a CSV file$/ },

  // ---- corrupt inputs: the file named, the problem said, exit 2 ----
  {
    name: 'check: corrupt progress JSON, said before the run',
    setup: (ctx) => writeFileSync(path.join(ctx.dir, 'progress.json'), '{"formatVersion": 1, "exercises": {'),
    argv: ['check', 'redis-pubsub-notifier'],
    expectCode: 2,
    expectLine: /^brokerlab: cannot read your progress file .*progress\.json: /,
    verify: (ctx) => expect(readdirSync(path.join(ctx.dir))).not.toContain('runs'),
  },
  {
    name: 'progress: a progress file of a future format',
    setup: (ctx) => writeFileSync(path.join(ctx.dir, 'progress.json'), '{"formatVersion": 99, "exercises": {}}'),
    argv: ['progress'],
    expectCode: 2,
    expectLine: /: unsupported format \(formatVersion 99\)$/,
  },
  {
    name: 'workshop provision: roster with an unclosed quote',
    setup: (ctx) => writeFileSync(path.join(ctx.dir, 'roster.csv'), 'learner\n"alice\nbob\n'),
    argv: (ctx) => ['workshop', 'provision', '--learners', path.join(ctx.dir, 'roster.csv'), '--brokers', 'redis'],
    env: ADMIN_ENV,
    expectCode: 2,
    expectLine: /roster\.csv: line 2: a quoted field is never closed$/,
  },
  {
    name: 'workshop provision: roster naming a learner twice',
    setup: (ctx) => writeFileSync(path.join(ctx.dir, 'roster.csv'), 'learner\nalice\nalice\n'),
    argv: (ctx) => ['workshop', 'provision', '--learners', path.join(ctx.dir, 'roster.csv'), '--brokers', 'redis'],
    env: ADMIN_ENV,
    expectCode: 2,
    expectLine: /lines 2 and 3 are both learner "alice"/,
  },
  {
    name: 'workshop provision: binary garbage as a roster, quoted harmlessly',
    setup: (ctx) => writeFileSync(path.join(ctx.dir, 'roster.csv'), Buffer.from([0x00, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0xfe, 0x0d, 0x20, 0x78])),
    argv: (ctx) => ['workshop', 'provision', '--learners', path.join(ctx.dir, 'roster.csv'), '--brokers', 'redis'],
    env: ADMIN_ENV,
    expectCode: 2,
    expectLine: /the header row \(line 1\) needs a learner, name or email column; it has: \\u0000\\u001b\[2J/,
  },
  {
    name: 'class report: corrupt and foreign results.json files',
    setup: (ctx) => {
      mkdirSync(path.join(ctx.dir, 'alice'));
      mkdirSync(path.join(ctx.dir, 'bob'));
      writeFileSync(path.join(ctx.dir, 'alice', 'results.json'), '{"version": 3, "tests": [');
      writeFileSync(path.join(ctx.dir, 'bob', 'results.json'), '{"version": 3, "tests": "all good"}');
    },
    argv: (ctx) => ['class', 'report', ctx.dir, '--out', path.join(ctx.dir, 'out')],
    expectCode: 2,
    expectLine: /^brokerlab: no usable results\.json in .* \(2 skipped\)$/,
  },
  {
    name: 'workshop teardown: workshop.json names a learner "*" (would match every namespace)',
    setup: (ctx) => writeFileSync(path.join(ctx.dir, 'workshop.json'), JSON.stringify({ formatVersion: 1, learners: [{ slug: '*', created: { redis: {} } }] })),
    argv: (ctx) => ['workshop', 'teardown', '--state', ctx.dir, '--brokers', 'redis'],
    env: ADMIN_ENV,
    expectCode: 2,
    expectLine: /workshop\.json: learner 1 is damaged/,
    verify: (ctx) => expect(existsSync(path.join(ctx.dir, 'workshop.json'))).toBe(true),
  },
  {
    name: 'workshop teardown: workshop.json that is not JSON',
    setup: (ctx) => writeFileSync(path.join(ctx.dir, 'workshop.json'), '{"formatVersion": 1,'),
    argv: (ctx) => ['workshop', 'teardown', '--state', ctx.dir],
    env: ADMIN_ENV,
    expectCode: 2,
    expectLine: /workshop\.json is not valid JSON/,
  },
  {
    name: 'report: a run whose results.json is damaged (was exit 70)',
    setup: (ctx) => {
      const run = path.join(ctx.dir, 'runs', '20260101-000000-abcd-redis-pubsub-notifier');
      mkdirSync(run, { recursive: true });
      writeFileSync(path.join(run, 'results.json'), '{"version": 3, "tests": [], "brokerlab": ');
      writeFileSync(path.join(run, 'history.jsonl'), '');
    },
    argv: ['report', '20260101-000000-abcd-redis-pubsub-notifier', '--print'],
    expectCode: 2,
    expectLine: /has no report\.html, and its results\.json or history\.jsonl is damaged/,
  },
  {
    name: 'list: a scenario.json that is not JSON (in a copy of the package)',
    setup: (ctx) => {
      ctx.vars.pkg = packageCopy(ctx);
      writeFileSync(path.join(ctx.vars.pkg, 'scenarios', 'event-chain', 'scenario.json'), '{"formatVersion": 1, "id": ');
    },
    argv: (ctx) => [path.join(ctx.vars.pkg ?? '', 'bin', 'brokerlab.js'), 'list'],
    expectCode: 2,
    expectLine: /scenarios\/event-chain\/scenario\.json: (Unexpected end of JSON input|.*JSON)/,
    verify: async (ctx) => {
      // Only that exercise is broken: another one still gives its hints.
      const hint = await cli(ctx, [path.join(ctx.vars.pkg ?? '', 'bin', 'brokerlab.js'), 'hint', 'redis-pubsub-notifier'], { raw: true });
      expect(hint.code).toBe(0);
    },
  },
  {
    name: 'init: a compose YAML that does not parse (in a copy of the package), nothing written',
    setup: (ctx) => {
      ctx.vars.pkg = packageCopy(ctx);
      writeFileSync(path.join(ctx.vars.pkg, 'compose', 'docker-compose.yml'), 'services: [redis\n  image: redis:7\n');
    },
    argv: (ctx) => [path.join(ctx.vars.pkg ?? '', 'bin', 'brokerlab.js'), 'init', path.join(ctx.dir, 'workspace')],
    expectCode: 2,
    expectLine: /compose\/docker-compose\.yml: .* at line \d+, column \d+/,
    verify: (ctx) => expect(existsSync(path.join(ctx.dir, 'workspace'))).toBe(false),
  },

  // ---- a broker down, a port taken, a port that speaks something else: exit 4 ----
  { name: 'grade: Redis down', argv: (ctx) => ['grade', 'redis-pubsub-notifier', '--solution', 'reference', '--out', path.join(ctx.dir, 'out')], env: CLOSED, expectCode: 4, expectLine: /^brokerlab: Redis is not reachable at redis:\/\/127\.0\.0\.1:1 \(BROKERLAB_REDIS_URL\)/ },
  { name: 'dev check: Redis down', argv: ['dev', 'check', 'redis-pubsub-notifier'], env: CLOSED, expectCode: 4, expectLine: /^brokerlab: Redis is not reachable at redis:\/\/127\.0\.0\.1:1/ },
  { name: 'check: the Redis URL points at RabbitMQ (another protocol)', argv: ['check', 'redis-pubsub-notifier', '--solution', 'reference'], env: { BROKERLAB_REDIS_URL: 'redis://127.0.0.1:5672' }, expectCode: 4, expectLine: /^brokerlab: Redis is not reachable at redis:\/\/127\.0\.0\.1:5672/ },
  { name: 'check: a Redis URL that is not a URL', argv: ['check', 'redis-pubsub-notifier', '--solution', 'reference'], env: { BROKERLAB_REDIS_URL: 'not a url' }, expectCode: 4, expectLine: /^brokerlab: Redis is not reachable at not a url \(BROKERLAB_REDIS_URL\)/ },
  { name: 'workshop provision: the admin Redis down', argv: (ctx) => ['workshop', 'provision', '--learners', roster(ctx, 1), '--brokers', 'redis', '--out', path.join(ctx.dir, 'out')], env: CLOSED, expectCode: 4, expectLine: /^brokerlab: Redis is not reachable with BROKERLAB_REDIS_URL/ },
  { name: 'doctor: Redis down', argv: ['doctor'], env: CLOSED, expectCode: 4, expectLine: /^brokerlab: doctor found \d+ problems?: .*Redis: not reachable at redis:\/\/127\.0\.0\.1:1/ },
  { name: 'status: Redis down is reported, not an error', argv: ['status', 'redis'], env: CLOSED, expectCode: 0, expectLine: /^redis\s+redis:\/\/127\.0\.0\.1:1\s+unreachable/ },
  {
    name: 'watch --manual: Redis down, then stdin closes',
    argv: ['watch', 'redis-pubsub-notifier', '--manual'],
    env: CLOSED,
    stdinClosed: true,
    expectCode: 0,
    expectLine: /^Input closed: stopped watching\.$/,
    verify: (_ctx, r) => expect(r.stdout).toMatch(/^brokerlab: Redis is not reachable at redis:\/\/127\.0\.0\.1:1/m),
  },
  {
    name: 'up redis: port 6379 taken by a Redis brokerlab did not start',
    argv: ['up', 'redis'],
    env: (ctx) => ({ BROKERLAB_HOME: path.join(ctx.dir, 'home'), BROKERLAB_RUNTIME: 'native' }),
    expectCode: 4,
    expectLine: /^brokerlab: cannot start Redis: port 6379 is already in use by another process \(not started by brokerlab\)/,
  },

  // ---- SIGTERM and SIGINT at a random moment: cleanup, then 130 ----
  { name: 'check: SIGTERM during the run', argv: ['check', 'redis-pubsub-notifier', '--solution', 'reference'], signal: { send: 'SIGTERM', after: /starting your program/, randomMs: [0, 2500] }, expectCode: 130, expectLine: /^brokerlab: interrupted; the run was cleaned up$/ },
  { name: 'check: SIGINT during the run', argv: ['check', 'redis-pubsub-notifier', '--solution', 'test/fixtures/sleeps-forever.ts'], signal: { send: 'SIGINT', after: /starting your program/, randomMs: [0, 3000] }, expectCode: 130, expectLine: /^brokerlab: interrupted; the run was cleaned up$/ },
  {
    name: 'grade: SIGTERM during the run',
    argv: (ctx) => ['grade', 'redis-pubsub-notifier', '--solution', 'reference', '--out', path.join(ctx.dir, 'out')],
    signal: { send: 'SIGTERM', after: /\[redis-pubsub-notifier\] starting your program/, randomMs: [0, 2500] },
    expectCode: 130,
    expectLine: /^brokerlab: interrupted; the run was cleaned up$/,
  },
  { name: 'dev check: SIGINT during its runs', argv: ['dev', 'check', 'redis-pubsub-notifier'], signal: { send: 'SIGINT', randomMs: [800, 5000] }, expectCode: 130, expectLine: /^brokerlab: interrupted; the run was cleaned up$/ },
  { name: 'watch: SIGTERM while grading or waiting', argv: ['watch', 'redis-pubsub-notifier', '--manual'], signal: { send: 'SIGTERM', after: /starting your program/, randomMs: [0, 6000] }, expectCode: 130, expectLine: /^brokerlab: (stopped watching|interrupted; the run was cleaned up)$/ },
  {
    name: 'bench: SIGINT while measuring',
    setup: async (ctx) => void (ctx.vars.bench = JSON.stringify(await benchNames())),
    argv: ['bench', 'redis', '--messages', '5000000'],
    signal: { send: 'SIGINT', randomMs: [1500, 3000] },
    expectCode: 130,
    expectLine: /^brokerlab: interrupted/,
    verify: async (ctx) => {
      const before = new Set(JSON.parse(ctx.vars.bench ?? '[]') as string[]);
      expect((await benchNames()).filter((name) => !before.has(name))).toEqual([]);
    },
  },
  {
    name: 'workshop provision: SIGTERM half-way; teardown --state removes it all',
    argv: (ctx) => ['workshop', 'provision', '--learners', roster(ctx, 60), '--brokers', 'redis,rabbitmq', '--out', path.join(ctx.dir, 'out')],
    env: ADMIN_ENV,
    signal: { send: 'SIGTERM', after: /RabbitMQ: a vhost and a user/, randomMs: [0, 300] },
    expectCode: 130,
    expectLine: /^brokerlab: interrupted half-way; .*workshop\.json names every learner: `brokerlab workshop teardown --state .*` removes what was created/,
    verify: async (ctx) => {
      const suffix = ctx.vars.suffix ?? 'missing';
      const teardown = await cli(ctx, ['workshop', 'teardown', '--state', path.join(ctx.dir, 'out'), '-q'], { env: ADMIN_ENV });
      expect(teardown.code).toBe(0);
      expect(await redisUsersWith(suffix)).toEqual([]);
      expect(await rabbitVhostsWith(suffix)).toEqual([]);
    },
  },
  {
    name: 'up sqs: SIGTERM while ElasticMQ starts; it is stopped again',
    argv: ['up', 'sqs'],
    env: (ctx) => ({ BROKERLAB_HOME: path.join(ctx.dir, 'home'), BROKERLAB_VENDOR: process.env.BROKERLAB_VENDOR || path.join(brokerlabHome(), 'vendor'), BROKERLAB_RUNTIME: 'native' }),
    signal: { send: 'SIGTERM', after: /starting SQS \(ElasticMQ\)/, randomMs: [100, 1200] },
    expectCode: 130,
    expectLine: /^brokerlab: interrupted while waiting for SQS \(ElasticMQ\) to start$/,
    // The suite's own ElasticMQ (the SQS exercise) makes way for this case's and comes back.
    setup: async (ctx) => {
      if (!(await listening(9324))) return;
      const stopped = await cli(ctx, ['down', 'sqs', '-q'], { env: { BROKERLAB_RUNTIME: 'native' } });
      if (stopped.code === 0) ctx.vars.suiteSqs = 'stopped';
    },
    verify: async (ctx) => {
      expect(await listening(9324)).toBe(false);
      expect(existsSync(path.join(ctx.dir, 'home', 'brokers', 'sqs', 'state.json'))).toBe(false);
    },
    // Had the signal come too late, the ElasticMQ this case started would be running: stop it.
    finally: async (ctx) => {
      await cli(ctx, ['down', 'sqs', '-q'], { env: { BROKERLAB_HOME: path.join(ctx.dir, 'home'), BROKERLAB_RUNTIME: 'native' } });
      if (ctx.vars.suiteSqs !== 'stopped') return;
      // Without the case's mark: processes carrying it are stopped when the case ends.
      const back = await cli(ctx, ['up', 'sqs'], { env: { BROKERLAB_RUNTIME: 'native', BADINPUT_MARK: undefined } });
      if (back.code !== 0) throw new Error(`the suite's ElasticMQ did not come back: ${back.stderr.trim()}`);
    },
  },
  {
    name: 'check: a second Ctrl-C exits at once, and still kills the program',
    setup: (ctx) => void (ctx.vars.pids = path.join(ctx.dir, 'pids')),
    argv: ['check', 'redis-pubsub-notifier', '--solution', path.join(MISBEHAVE, 'ignores-sigterm.py')],
    env: (ctx) => ({ MISBEHAVE_PIDS: ctx.vars.pids }),
    // From the moment the program and its forks ignore SIGTERM (they write their pids after
    // that): a Python slow to start under load would otherwise die of the first signal's
    // SIGTERM, and the cleanup end before the second Ctrl-C.
    signal: { send: 'SIGINT', after: /starting your program/, randomMs: [500, 2000], twice: true, ready: (ctx) => pidsIn(ctx).length >= 4 },
    expectCode: 130,
    expectLine: /^brokerlab: second SIGINT, exiting without cleanup$/,
    leavesNames: true,
    verify: (ctx) => expect(alive(pidsIn(ctx))).toEqual([]),
  },

  // ---- a learner's program that misbehaves: a clear verdict, nothing harmed ----
  {
    name: 'program prints 1 GiB to stdout and 1 GiB to stderr',
    argv: ['check', 'redis-pubsub-notifier', '--solution', path.join(MISBEHAVE, 'floods-output.py'), '--json'],
    expectCode: 1,
    expectLine: /wrote more to stderr than the lab keeps/,
    verify: (_ctx, r) => {
      const { brokerlab } = resultsOf(r);
      for (const log of ['learner-1.stdout.log', 'learner-1.stderr.log']) {
        const file = path.join(brokerlab.runDir, log);
        expect(statSync(file).size, log).toBeLessThanOrEqual(LOG_HEAD_BYTES + LOG_TAIL_BYTES + 1024);
        expect(readFileSync(file, 'utf8'), log).toMatch(/\[brokerlab: \d+ bytes cut here\. Your program wrote 10\d{8} bytes/);
      }
      // Its last words survive the cut.
      expect(brokerlab.notes.join('\n')).toContain('"RuntimeError: the end of a very long log"');
    },
  },
  {
    name: 'program and its children ignore SIGTERM; one leaves the session and keeps forking',
    setup: (ctx) => void (ctx.vars.pids = path.join(ctx.dir, 'pids')),
    argv: ['check', 'redis-pubsub-notifier', '--solution', path.join(MISBEHAVE, 'ignores-sigterm.py')],
    env: (ctx) => ({ MISBEHAVE_PIDS: ctx.vars.pids }),
    expectCode: 1,
    expectLine: /note: your program left \d+ processes running after it was stopped \(pid \d+, .* and \d+ more\); the lab killed them/,
    boundMs: 40_000,
    verify: (ctx) => {
      expect(pidsIn(ctx).length).toBeGreaterThan(5);
      expect(alive(pidsIn(ctx))).toEqual([]);
    },
  },
  {
    name: 'program eats memory (Node)',
    argv: ['check', 'redis-pubsub-notifier', '--solution', path.join(MISBEHAVE, 'eats-memory.mjs')],
    expectCode: 1,
    expectLine: /note: learner-1 exited on its own \(code \d+\) at [\d.]+s: it ran out of memory \(each copy may use 2 GiB/,
  },
  {
    name: 'program eats memory (Python)',
    argv: ['check', 'redis-pubsub-notifier', '--solution', path.join(MISBEHAVE, 'eats-memory.py')],
    expectCode: 1,
    expectLine: /it exited with code 1 after [\d.]+s, before it was ready, saying "MemoryError"/,
  },
  {
    name: 'program closes stdin, stdout and stderr, then does the work',
    argv: ['check', 'redis-pubsub-notifier', '--cmd', `exec 0<&- 1>&- 2>&-; exec ${process.execPath} --import tsx scenarios/redis-pubsub-notifier/reference/notifier.ts`],
    expectCode: 0,
    expectLine: /PASSED/,
  },
  {
    name: 'program does the work in a child that leaves its process group (setsid)',
    argv: ['check', 'redis-pubsub-notifier', '--solution', path.join(MISBEHAVE, 'leaves-its-group.py')],
    expectCode: 0,
    expectLine: /note: your program left 1 process running after it was stopped \(pid \d+\); the lab killed it/,
  },
  {
    name: "program writes into the lab's folders (progress, run artifacts)",
    setup: async (ctx) => {
      ctx.vars.ws = path.join(ctx.dir, 'ws');
      expect((await cli(ctx, ['init', ctx.vars.ws, '--ci', 'none', '-q'])).code).toBe(0);
    },
    cwd: (ctx) => ctx.vars.ws ?? '',
    // In a workspace, the runs and the progress are inside it, where the program can find them.
    env: { BROKERLAB_RUNS_DIR: undefined },
    argv: ['check', 'redis-pubsub-notifier', '--cmd', `sh ${path.join(MISBEHAVE, 'writes-into-lab.sh')}`, '--json'],
    expectCode: 1,
    expectLine: /your progress file .*progress\.json was broken while the run went on .*restored it as it was before the run, with this run added/,
    verify: async (ctx, r) => {
      const { brokerlab } = resultsOf(r);
      expect(JSON.parse(readFileSync(path.join(brokerlab.runDir, 'results.json'), 'utf8')).status).toBe('fail');
      expect(readFileSync(path.join(brokerlab.runDir, 'history.jsonl'), 'utf8')).toContain('"kind":"process"');
      const progress = JSON.parse(readFileSync(path.join(ctx.vars.ws ?? '', '.brokerlab', 'progress.json'), 'utf8'));
      expect(progress.exercises['redis-pubsub-notifier']).toMatchObject({ status: 'attempted', attempts: 1, lastVerdict: 'fail' });
      // The reference stays locked: nothing it wrote counted as a pass.
      expect((await cli(ctx, ['solution', 'redis-pubsub-notifier'], { cwd: ctx.vars.ws ?? '' })).code).toBe(1);
    },
  },
  {
    name: 'program prints terminal escapes and bytes that are not UTF-8, then crashes',
    argv: ['check', 'redis-pubsub-notifier', '--solution', path.join(MISBEHAVE, 'prints-escapes.py')],
    expectCode: 1,
    expectLine: /saying "\\u001b\[2J\\u001b\[31mError: \\u0007broken/,
  },
  { name: 'program that is not there (--cmd of a missing command)', argv: ['check', 'redis-pubsub-notifier', '--cmd', 'no-such-program-brokerlab --serve'], expectCode: 1, expectLine: /it exited with code 127 after [\d.]+s, before it was ready, saying ".*no-such-program-brokerlab: not found"/ },
];

// ---------------------------------------------------------------------------------------
// The machinery: running one case, and what every case must leave behind.
// ---------------------------------------------------------------------------------------

function pidsIn(ctx: Ctx): number[] {
  const file = ctx.vars.pids ?? '';
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
}

/** The real binary with this case's marker and folders. `raw`: argv[0] is the script to run (a package copy's bin). */
function cli(ctx: Ctx, argv: string[], options: { env?: Record<string, string | undefined>; cwd?: string; stdinClosed?: boolean; raw?: boolean } = {}): Promise<Outcome> & { child?: ChildProcess } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    BROKERLAB_RUNS_DIR: path.join(ctx.dir, 'runs'),
    BROKERLAB_PROGRESS: path.join(ctx.dir, 'progress.json'),
    BADINPUT_MARK: ctx.mark,
  };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const started = Date.now();
  const child = spawn(process.execPath, options.raw ? argv : [BIN, ...argv], { cwd: options.cwd ?? REPO, env, stdio: [options.stdinClosed ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += String(d)));
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const promise = new Promise<Outcome>((done) => child.on('close', (code) => done({ code, stdout, stderr, ms: Date.now() - started, hung: false }))) as Promise<Outcome> & { child?: ChildProcess };
  promise.child = child;
  return promise;
}

async function runCase(c: Case, ctx: Ctx): Promise<Outcome> {
  await c.setup?.(ctx);
  const argv = resolve(c.argv, ctx) ?? [];
  const raw = argv[0]?.endsWith('brokerlab.js') ?? false;
  const running = cli(ctx, argv, { env: resolve(c.env, ctx) ?? {}, cwd: resolve(c.cwd, ctx) ?? REPO, stdinClosed: c.stdinClosed === true, raw });
  const child = running.child as ChildProcess;
  let exited = false;
  let hung = false;
  const bound = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, c.boundMs ?? DEFAULT_BOUND_MS);
  let outputSoFar = '';
  child.stderr?.on('data', (d) => (outputSoFar += String(d)));
  child.stdout?.on('data', (d) => (outputSoFar += String(d)));
  let signalNote: string | undefined;
  let signalSent: boolean | undefined;
  if (c.signal) {
    const { send, after, randomMs, twice, ready } = c.signal;
    const delay = random(randomMs);
    signalSent = false;
    const fire = (): void => {
      if (ready && !ready(ctx)) {
        if (!exited) setTimeout(fire, 50);
        return;
      }
      setTimeout(() => {
        if (exited) {
          signalNote = `${send} not sent: it had exited already`;
          return;
        }
        signalSent = true;
        child.kill(send);
        if (twice) setTimeout(() => !exited && child.kill(send), 200);
      }, delay);
    };
    signalNote = `${send}${twice ? ' twice' : ''} ${delay} ms after ${after ? `"${after.source}"` : 'the start'}`;
    if (after) {
      let seen = false;
      const watch = () => {
        if (!seen && after.test(outputSoFar)) {
          seen = true;
          fire();
        }
      };
      child.stderr?.on('data', watch);
      child.stdout?.on('data', watch);
    } else {
      fire();
    }
  }
  const outcome = await running;
  exited = true;
  clearTimeout(bound);
  return { ...outcome, hung, ...(signalNote ? { signalNote } : {}), ...(signalSent === undefined ? {} : { signalSent }) };
}

/** Pids (not zombies) whose environment carries this case's marker. */
function markedProcesses(mark: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`BADINPUT_MARK=${mark}`)) continue;
      if (alive([Number(entry)]).length > 0) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not readable
    }
  }
  return found;
}

/** The marked processes still alive after a short wait (a SIGKILLed one takes a moment to go), with their command lines. */
async function processesLeft(mark: string): Promise<string[]> {
  for (let i = 0; i < 30 && markedProcesses(mark).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  return markedProcesses(mark).map((pid) => {
    try {
      return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ')}`;
    } catch {
      return String(pid);
    }
  });
}

/** Every file under `dir` (symlinks, like a workspace's node_modules link, are not followed). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const file = path.join(dir, name);
    const stat = lstatSync(file);
    if (stat.isDirectory()) out.push(...filesUnder(file));
    else out.push(file);
  }
  return out;
}

/** The run ids of the runs this case made: their folders, wherever the runs directory was. */
function runIdsUnder(dir: string): string[] {
  const ids: string[] = [];
  const walk = (at: string) => {
    for (const name of existsSync(at) ? readdirSync(at) : []) {
      const file = path.join(at, name);
      if (!lstatSync(file).isDirectory()) continue;
      if (/^\d{8}-\d{6}-[a-z0-9]{4}-/.test(name)) ids.push(name);
      else if (name !== 'node_modules' && name !== 'brokerlab') walk(file);
    }
  };
  walk(dir);
  return ids;
}

/** Names under these namespaces still in Redis, RabbitMQ and toxiproxy (the exercises these cases run use no Kafka). */
async function namesUnder(namespaces: string[]): Promise<string[]> {
  if (namespaces.length === 0) return [];
  return leftovers({ redis: { url: REDIS_URL }, rabbitmq: rabbitmq.defaultEndpoint, toxiproxy: toxiproxy.defaultEndpoint }, (name) => namespaces.some((ns) => name.startsWith(ns)));
}

/** For the one case that skips cleanup by design: remove what its run left (names this test created). */
async function removeNames(namespaces: string[]): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    for (const ns of namespaces) await deleteKeys(redis, `${ns}:*`);
  } finally {
    redis.disconnect();
  }
  const api = toxiproxyApi(toxiproxy.defaultEndpoint);
  for (const proxy of await api.list()) if (namespaces.some((ns) => proxy.name.startsWith(ns))) await api.remove(proxy.name);
}

const ROWS: Array<{ name: string; code: number | null; line: string; seconds: string; signal?: string }> = [];

async function expectCleanCase(c: Case, ctx: Ctx, r: Outcome): Promise<void> {
  const output = `${r.stderr}\n${r.stdout}`;
  const lines = output.split('\n').map((l) => l.trimEnd());
  const line = lines.find((l) => c.expectLine.test(l.trim())) ?? lines.find((l) => c.expectLine.test(l));
  ROWS.push({ name: c.name, code: r.code, line: (line ?? '(no matching line)').trim(), seconds: (r.ms / 1000).toFixed(1), ...(r.signalNote ? { signal: r.signalNote } : {}) });
  const context = `${c.name}\n--- stderr ---\n${r.stderr.slice(-3000)}\n--- stdout ---\n${r.stdout.slice(-2000)}`;

  expect(r.hung, `hung past its bound: ${context}`).toBe(false);
  if (c.signal) expect(r.signalSent, `${r.signalNote}: ${context}`).toBe(true);
  expect(r.code, context).toBe(c.expectCode);
  expect(line, `no line matches ${c.expectLine}: ${context}`).toBeDefined();
  // brokerlab's own stack; a learner's crash quoted in its report (stdout) may show node:internal.
  expect(r.stderr, context).not.toMatch(/^\s+at |node:internal/m);
  expect(output, context).not.toMatch(/internal error, this is a bug in brokerlab/);
  expect(output, `raw control characters: ${context}`).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
  if (c.expectCode === 2 || c.expectCode === 4) {
    // The error and its hint; progress lines ("… checking ...") and skipped-file lines aside.
    const errorLines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('… ') && !l.startsWith('brokerlab: skipped '));
    expect(errorLines.length, context).toBeLessThanOrEqual(3);
  }

  expect(await processesLeft(ctx.mark), `processes left running: ${context}`).toEqual([]);
  expect(filesUnder(ctx.dir).filter((f) => f.endsWith('.tmp')), 'half-written files').toEqual([]);
  const namespaces = runIdsUnder(ctx.dir).map(runNamespaceOf);
  if (c.leavesNames) await removeNames(namespaces);
  else expect(await namesUnder(namespaces), `names left in the brokers: ${context}`).toEqual([]);

  // brokerlab still works, with the same folders and settings.
  const next = await cli(ctx, ['list', '--json']);
  expect(next.code, `the next command: ${next.stderr}`).toBe(0);
  expect((JSON.parse(next.stdout) as unknown[]).length).toBeGreaterThan(0);

  await c.verify?.(ctx, r);
}

/** Every command of the CLI, from its help (groups' subcommands included). */
async function allCommands(ctx: Ctx, prefix: string[] = []): Promise<string[]> {
  const help = (await cli(ctx, [...prefix, '--help'])).stdout;
  const names = [...(help.split(/^Commands:$/m)[1] ?? '').matchAll(/^ {2}(\S+)/gm)].map((m) => m[1] ?? '').filter((name) => name !== 'help');
  const commands: string[] = [];
  for (const name of names) {
    const sub = (await cli(ctx, [...prefix, name, '--help'])).stdout;
    if (/^Commands:$/m.test(sub)) commands.push(...(await allCommands(ctx, [...prefix, name])));
    else commands.push([...prefix, name].join(' '));
  }
  return commands;
}

/** The command a case runs ("dev check"), from its argv. */
function commandOf(argv: string[], commands: string[]): string | undefined {
  const words = argv[0]?.endsWith('brokerlab.js') ? argv.slice(1) : argv;
  return commands.find((command) => command === words.slice(0, command.split(' ').length).join(' '));
}

describe('bad input and hostile environments: every command, every case', () => {
  it('has at least 40 cases, and a case for every command found from --help', async () => {
    const ctx: Ctx = { dir: tempDir('brokerlab-bad-input-'), mark: randomUUID(), vars: {} };
    const commands = await allCommands(ctx);
    expect(commands).toEqual(expect.arrayContaining(['init', 'check', 'grade', 'dev check', 'workshop provision', 'class report']));
    const covered = new Set(CASES.map((c) => commandOf(resolve(c.argv, { ...ctx, vars: { pkg: 'x/bin/brokerlab.js' } }) ?? [], commands)));
    expect(commands.filter((command) => !covered.has(command))).toEqual([]);
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  }, 60_000);

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const ctx: Ctx = { dir: tempDir('brokerlab-bad-input-'), mark: randomUUID(), vars: {} };
    try {
      const r = await runCase(c, ctx);
      await expectCleanCase(c, ctx, r);
    } finally {
      await c.finally?.(ctx);
      // A failed case must not leave its processes to the next ones.
      for (const pid of markedProcesses(ctx.mark)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
  }, 90_000);

  afterAll(() => {
    // The note of the matrix: each case, its exit code and the line it printed.
    const table = ROWS.map((row) => `| ${row.name} | ${row.code} | ${row.line.replace(/\|/g, '\\|').slice(0, 200)} | ${row.seconds}s${row.signal ? `, ${row.signal}` : ''} |`);
    console.log(['| case | exit | line printed | time |', '|---|---|---|---|', ...table].join('\n'));
  });
});
