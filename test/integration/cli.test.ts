// The real binary against real brokers: exit codes, one-line errors, artifacts, cleanup.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { findExercise, loadCatalog } from '../../src/catalog/load.js';
import { runNamespaceOf } from '../../src/namespaces/names.js';
import { maxScoreOf } from '../../src/reporters/grade-model.js';
import { describe, expect, it } from 'vitest';
import { cli, isOneCleanLine, processesMatching, tempRunsDir } from '../helpers.js';
import { leftovers } from './leftovers.js';

/** The keys the latest run in `runsDir` left in Redis (these tests grade the Redis pilot).
 *  Only its own: other runs, of other tests or other people, may be going on meanwhile. */
async function namespaceKeys(runsDir: string): Promise<string[]> {
  const { runId } = JSON.parse(readFileSync(path.join(runsDir, 'latest', 'run.json'), 'utf8')) as { runId: string };
  const namespace = runNamespaceOf(runId);
  return (await leftovers(['redis'])).filter((name) => name.includes(namespace));
}

describe('bad input: one clear line, a distinct exit code, nothing left behind', () => {
  it('unknown exercise -> usage (2), with a suggestion', async () => {
    const r = await cli(['check', 'redis-pubsub']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown exercise "redis-pubsub". Did you mean redis-pubsub-notifier?');
    expect(isOneCleanLine(r.stderr)).toBe(true);
  });

  it('missing solution file -> usage (2)', async () => {
    const r = await cli(['check', 'redis-pubsub-notifier', '--solution', 'nowhere/solution.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('brokerlab: solution file not found: nowhere/solution.ts');
  });

  it('unknown command and missing argument -> usage (2)', async () => {
    expect((await cli(['chekc'])).code).toBe(2);
    const r = await cli(['check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'exercise'");
  });

  it('--solution and --cmd together -> usage (2)', async () => {
    const r = await cli(['check', 'redis-pubsub-notifier', '--solution', 'reference', '--cmd', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('brokerlab: give either --solution or --cmd, not both');
  });

  it('broker down -> environment (4), saying where it looked and what to do', async () => {
    const r = await cli(['check', 'redis-pubsub-notifier', '--solution', 'reference'], { BROKERLAB_REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1/);
    expect(isOneCleanLine(r.stderr)).toBe(true);
  });

  it('a solution that crashes at start -> not solved (1), its error quoted, nothing left running', async () => {
    const runsDir = tempRunsDir();
    const r = await cli(['check', 'redis-pubsub-notifier', '--solution', 'test/fixtures/crash-at-start.ts'], { BROKERLAB_RUNS_DIR: runsDir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Your program starts and keeps running');
    expect(r.stdout).toMatch(/it exited with code 1 after [\d.]+s, before it was ready/);
    expect(r.stdout).toContain('ORDERS_CHANNEL is misspelt');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(processesMatching('crash-at-start.ts')).toEqual([]);
    expect(await namespaceKeys(runsDir)).toEqual([]);
  });
});

describe('grading', () => {
  it('passes the reference, writes results.json (Exercism v3 + scores), junit.xml and a latest link', async () => {
    const runsDir = tempRunsDir();
    const junit = path.join(runsDir, 'copy.xml');
    const r = await cli(['check', 'redis-pubsub-notifier', '--solution', 'reference', '--json', '--junit', junit], { BROKERLAB_RUNS_DIR: runsDir });
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout);
    const max = maxScoreOf(findExercise('redis-pubsub-notifier'));
    expect(results).toMatchObject({ version: 3, status: 'pass', brokerlab: { exercise: 'redis-pubsub-notifier', verdict: 'pass', score: { earned: max, max } } });
    const checks = findExercise('redis-pubsub-notifier').scenario.checks;
    expect(results.tests.map((t: { test_code: string }) => t.test_code)).toEqual(checks.map((c) => c.check));
    const lost = checks.findIndex((c) => c.check === 'no-lost-messages');
    expect(results.tests[lost]).toMatchObject({ status: 'pass', score: 2, max_score: 2 });
    const latest = path.join(runsDir, 'latest');
    for (const artifact of ['results.json', 'junit.xml', 'history.jsonl', 'run.json', 'learner-1.stdout.log']) {
      expect(existsSync(path.join(latest, artifact)), artifact).toBe(true);
    }
    expect(readFileSync(junit, 'utf8')).toContain(`<testsuite name="brokerlab.redis-pubsub-notifier" tests="${checks.length}" failures="0"`);
    expect(await namespaceKeys(runsDir)).toEqual([]);
  });

  it('grades any command given with --cmd', async () => {
    const r = await cli(['check', 'redis-pubsub-notifier', '--cmd', `${process.execPath} --import tsx scenarios/redis-pubsub-notifier/reference/notifier.ts`, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASSED');
  });

  it('notes a program that ignored SIGTERM and had to be killed', async () => {
    const r = await cli(['check', 'redis-pubsub-notifier', '--solution', 'test/fixtures/ignores-sigterm.ts']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/note: learner-1 did not exit within [\d.]+ s of SIGTERM, so the lab killed it \(SIGKILL\)/);
  });

  it('fails a wrong solution with a report that names the mistake', async () => {
    const r = await cli(['check', 'redis-pubsub-notifier', '--solution', 'scenarios/redis-pubsub-notifier/wrong/async-handler-reorders.ts']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('NOT YET');
    expect(r.stdout).toMatch(/order-0005-[0-9a-f]{6} \(sent #5\) arrived after order-00\d\d-[0-9a-f]{6}/);
    expect(r.stdout).toContain('hint: Notifications overtook each other: a slow (VIP) order was finished after later ones.');
  });

  it('lists the exercises in curriculum order', async () => {
    const r = await cli(['list', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((e: { id: string }) => e.id)).toEqual(loadCatalog().map((e) => e.scenario.id));
    expect(JSON.parse(r.stdout)[0].id).toBe('redis-pubsub-notifier');
  });
});

/** Every command of the real CLI, read from its help, subcommands of groups included:
 *  a new command cannot slip past the rule below by not being listed here. */
async function allCommands(prefix: string[] = []): Promise<string[]> {
  const help = (await cli([...prefix, '--help'])).stdout;
  const section = help.split(/^Commands:$/m)[1] ?? '';
  const names = [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1] ?? '').filter((name) => name !== 'help');
  const commands: string[] = [];
  for (const name of names) {
    const sub = (await cli([...prefix, name, '--help'])).stdout;
    if (/^Commands:$/m.test(sub)) commands.push(...(await allCommands([...prefix, name])));
    else commands.push([...prefix, name].join(' '));
  }
  return commands;
}

describe('every command', () => {
  it('has --json and --quiet', async () => {
    const commands = await allCommands();
    expect(commands).toEqual(expect.arrayContaining(['init', 'check', 'grade', 'up', 'dev check']));
    const missing: string[] = [];
    for (const command of commands) {
      const r = await cli([...command.split(' '), '--help']);
      expect(r.code).toBe(0);
      if (!r.stdout.includes('--json') || !r.stdout.includes('--quiet')) missing.push(command);
    }
    expect(missing).toEqual([]);
  }, 120_000);
});
