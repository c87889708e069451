// A broker that dies mid-run: the lab cannot judge the learner's program, so the verdict is
// "undecided" (exit 3) with the reason, not a failure the learner would chase.
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nativeProcess } from '../../src/brokers/index.js';
import { BIN, REPO, processesMatching, tempProgressFile, tempRunsDir } from '../helpers.js';

describe('a broker dies during a run', () => {
  it('gives an undecided verdict (exit 3), cleans up the learner, and the broker comes back with `up`', async () => {
    const child = spawn(process.execPath, [BIN, 'check', 'redis-pubsub-notifier', '--solution', 'test/fixtures/sleeps-forever.ts'], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1', BROKERLAB_RUNS_DIR: tempRunsDir(), BROKERLAB_PROGRESS: tempProgressFile() },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      while (!stderr.includes('starting your program')) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      const redis = nativeProcess('redis');
      expect(redis, 'the suite runs Redis natively').toBeDefined();
      process.kill(-(redis?.pgid ?? 0), 'SIGKILL');
      expect(await exited).toBe(3);
      expect(stdout).toContain('UNDECIDED');
      expect(stdout).toContain('the lab could not finish the run');
      expect(processesMatching('sleeps-forever.ts')).toEqual([]);
    } finally {
      execFileSync(process.execPath, [BIN, 'up', 'redis', '--quiet'], { cwd: REPO });
    }
  });
});
