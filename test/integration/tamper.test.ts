// The verdict comes only from what the lab observed. These programs try to pass without
// doing the work: by printing a passing report, by exiting early, by writing artifacts into
// the run directory (also from a detached helper that outlives the program), and by reading
// brokerlab's own settings from the environment. Each must get exactly the verdict its
// real behaviour earns.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cli, processesMatching, tempDir, tempRunsDir } from '../helpers.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'tamper');

interface Results {
  status: string;
  tests: Array<{ test_code: string; status: string; score: number }>;
  brokerlab: { runDir: string; verdict: string; notes: string[] };
}

function onlyRunDir(runsDir: string): string {
  const runs = readdirSync(runsDir).filter((name) => name !== 'latest');
  expect(runs).toHaveLength(1);
  return path.join(runsDir, runs[0] ?? '');
}

describe('a program cannot grade itself', () => {
  it('printing a passing report and exiting early earns a fail', async () => {
    const r = await cli(['check', 'redis-pubsub-notifier', '--solution', path.join(FIXTURES, 'claims-success.ts'), '--json']);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as Results;
    expect(results.status).toBe('fail');
    expect(results.tests.find((t) => t.test_code === 'no-lost-messages')?.status).toBe('fail');
    // It did print its claim; the lab kept it in the learner's log and ignored it.
    expect(readFileSync(path.join(results.brokerlab.runDir, 'learner-1.stdout.log'), 'utf8')).toContain('PASSED');
    expect(results.brokerlab.notes.join('\n')).toMatch(/exited on its own/);
  });

  it('forged artifacts in the run directory, rewritten by a detached helper, change nothing', async () => {
    const runsDir = tempRunsDir();
    const r = await cli(['check', 'redis-pubsub-notifier', '--solution', path.join(FIXTURES, 'rewrites-artifacts.ts'), '--json'], {
      BROKERLAB_RUNS_DIR: runsDir,
      TAMPER_RUNS_DIR: runsDir,
    });
    expect(r.code).toBe(1);
    const printed = JSON.parse(r.stdout) as Results;
    expect(printed.status).toBe('fail');
    const daemonPid = /tamper-daemon (\d+)/.exec(readFileSync(path.join(onlyRunDir(runsDir), 'learner-1.stdout.log'), 'utf8'))?.[1];
    expect(daemonPid).toBeDefined();
    expect(printed.brokerlab.notes.join('\n')).toContain(`left 1 process running after it was stopped (pid ${daemonPid})`);

    // Give a surviving helper time to strike; there must be none.
    await sleep(500);
    expect(processesMatching('rewrites-artifacts.ts daemon')).toEqual([]);
    const runDir = onlyRunDir(runsDir);
    const saved = JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8')) as Results;
    expect(saved.status).toBe('fail');
    expect(saved.tests.map((t) => t.test_code)).not.toContain('forged');
    const history = readFileSync(path.join(runDir, 'history.jsonl'), 'utf8');
    expect(history).not.toContain('forged');
    expect(history).toContain('"kind":"produce"');
    expect(readFileSync(path.join(runDir, 'junit.xml'), 'utf8')).toMatch(/failures="[1-9]/);
  });

  it('reporting work on made-up message ids earns nothing', async () => {
    const r = await cli(['check', 'redis-pubsub-notifier', '--solution', path.join(FIXTURES, 'guesses-ids.ts'), '--json']);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as Results;
    expect(results.tests.find((t) => t.test_code === 'subscribed')?.status).toBe('pass');
    expect(results.tests.find((t) => t.test_code === 'no-lost-messages')).toMatchObject({ status: 'fail', score: 0 });
  });

  it('a learner process left by a brokerlab that was killed is stopped by the next run', async () => {
    // As if a run of an hour ago had been SIGKILLed with its learner still running.
    const orphan = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'orphaned-learner'], {
      env: { ...process.env, BROKERLAB_RUN_ID: '20200101-000000-abcd-redis-pubsub-notifier' },
      detached: true,
      stdio: 'ignore',
    });
    orphan.unref();
    const exited = new Promise((resolve) => orphan.on('exit', resolve));
    const r = await cli(['check', 'redis-pubsub-notifier', '--solution', 'reference', '--json']);
    expect(r.code).toBe(0);
    await exited;
    expect((JSON.parse(r.stdout) as Results).brokerlab.notes.join('\n')).toContain(`left running by an earlier run that could not clean up (pid ${orphan.pid})`);
  });

  it("the program does not get brokerlab's own settings (runs dir, progress file)", async () => {
    const out = path.join(tempDir(), 'env.txt');
    const r = await cli(['check', 'redis-pubsub-notifier', '--cmd', `env | grep '^BROKERLAB_' | cut -d= -f1 | sort > ${out}`, '--json']);
    expect(r.code).toBe(1);
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toEqual(['BROKERLAB_INSTANCE', 'BROKERLAB_NAMESPACE', 'BROKERLAB_RUN_ID']);
  });
});
