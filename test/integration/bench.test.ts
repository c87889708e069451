// `brokerlab bench` against the real Redis: sane numbers, a self-contained HTML report,
// nothing left in the brokers (also after Ctrl-C), one clean line for bad input. Speed is
// never asserted here: targets belong to `npm run bench`'s output.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO, cli, isOneCleanLine, tempDir } from '../helpers.js';
import { leftovers } from './leftovers.js';

/** Only this command's names: other runs may be going on in the same brokers. */
async function benchLeftovers(): Promise<string[]> {
  return (await leftovers()).filter((name) => name.includes('bl-bench'));
}

describe('brokerlab bench', () => {
  it('measures Redis: every variant at both sizes, sane numbers, an HTML report, and no bl-bench* names left', async () => {
    const html = path.join(tempDir(), 'bench.html');
    const r = await cli(['bench', 'redis', '--messages', '2000', '--json', '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      namespace: string;
      machine: { cores: number };
      results: Array<{
        broker: string;
        variant: string;
        size: number;
        sent: number;
        delivered: number;
        lost: number;
        sentPerSecond: number;
        deliveredPerSecond: number;
        mbPerSecond: number;
        latencyMs: { p50: number; p95: number; p99: number; max: number };
      }>;
    };
    expect(report.namespace).toMatch(/^bl-bench-/);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.results.map((x) => `${x.variant} ${x.size}`)).toEqual([
      'pubsub-one-by-one 100',
      'pubsub-one-by-one 1024',
      'pubsub-pipeline 100',
      'pubsub-pipeline 1024',
      'stream-pipeline 100',
      'stream-pipeline 1024',
    ]);
    for (const x of report.results) {
      expect(x).toMatchObject({ broker: 'redis', sent: 2000, delivered: 2000, lost: 0 });
      expect(x.sentPerSecond).toBeGreaterThan(0);
      expect(x.deliveredPerSecond).toBeGreaterThan(0);
      expect(x.mbPerSecond).toBeCloseTo((x.deliveredPerSecond * x.size) / 1e6, 6);
      const { p50, p95, p99, max } = x.latencyMs;
      expect(p50).toBeGreaterThan(0);
      expect(p50).toBeLessThanOrEqual(p95);
      expect(p95).toBeLessThanOrEqual(p99);
      expect(p99).toBeLessThanOrEqual(max);
    }
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<svg /g)).toHaveLength(2);
    expect(page).not.toMatch(/src="http|href="http|<script/);
    expect(await benchLeftovers()).toEqual([]);
  });

  it('Ctrl-C stops it, deletes its namespace and exits 130', async () => {
    // 2 s per variant: the Pub/Sub ones pass quickly, then the stream variant writes keys.
    const child = spawn(process.execPath, [BIN, 'bench', 'redis', '--duration', '2'], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Mid-way through the stream variant, which writes keys.
    while (!stderr.includes('Stream')) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('cleaning up');
    expect(await benchLeftovers()).toEqual([]);
  });

  it('an unknown broker is a usage error (2), one line', async () => {
    const r = await cli(['bench', 'nosuchbroker']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('brokerlab: unknown broker "nosuchbroker" for bench; it measures: redis, rabbitmq, kafka, sqs');
    expect(isOneCleanLine(r.stderr)).toBe(true);
  });

  it('a broker that does not answer is an environment error (4), one line', async () => {
    const r = await cli(['bench', 'redis', '--messages', '10'], { BROKERLAB_REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1/);
    expect(isOneCleanLine(r.stderr)).toBe(true);
  });

  it('has --json and --quiet, like every command', async () => {
    const r = await cli(['bench', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toContain('--quiet');
  });
});
