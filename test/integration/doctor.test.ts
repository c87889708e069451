// `brokerlab doctor`, the real binary: with the suite's brokers up it is happy; with Redis
// pointed at a dead address it names the problem, its fix, and exits 4.
import { describe, expect, it } from 'vitest';
import { cli, isOneCleanLine } from '../helpers.js';

interface Finding {
  id: string;
  level: 'ok' | 'info' | 'warning' | 'problem';
  message: string;
  fix?: string;
  broker?: { name: string; runtime: string; url: string; health: string; detail: string };
}

describe('brokerlab doctor', () => {
  it('--json: the suite\'s brokers are healthy, and nothing the exercises need is missing (exit 0)', async () => {
    const r = await cli(['doctor', '--json']);
    const findings = JSON.parse(r.stdout) as Finding[];
    for (const name of ['redis', 'rabbitmq', 'kafka']) {
      expect(findings.find((f) => f.id === `broker:${name}`)).toMatchObject({ level: 'ok', broker: { name, health: 'healthy' } });
    }
    for (const id of ['node', 'disk', 'workspace', 'tool:java', 'install:kafka']) expect(findings.map((f) => f.id)).toContain(id);
    // Listed first, so a failure here says which problem this machine has.
    expect(findings.filter((f) => f.level === 'problem')).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('an unreachable Redis is a problem with its fix, and exit 4 with a one-line summary', async () => {
    const r = await cli(['doctor', '--json'], { BROKERLAB_REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(4);
    const redis = (JSON.parse(r.stdout) as Finding[]).find((f) => f.id === 'broker:redis');
    expect(redis).toMatchObject({
      level: 'problem',
      broker: { runtime: 'external', url: 'redis://127.0.0.1:1', health: 'unreachable' },
      fix: 'unset BROKERLAB_REDIS_URL && brokerlab up redis',
    });
    expect(r.stderr).toContain('brokerlab: doctor found 1 problem: Redis: not reachable at redis://127.0.0.1:1');
    expect(isOneCleanLine(r.stderr)).toBe(true);
  });

  it('prints one line per finding, the fix under the problem, and --quiet only what needs attention', async () => {
    const env = { BROKERLAB_REDIS_URL: 'redis://127.0.0.1:1' };
    const r = await cli(['doctor'], env);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/✔ Kafka: healthy at 127\.0\.0\.1:9092/);
    expect(r.stdout).toContain('✘ Redis: not reachable at redis://127.0.0.1:1 (set by BROKERLAB_REDIS_URL)');
    expect(r.stdout).toContain('      fix: unset BROKERLAB_REDIS_URL && brokerlab up redis');
    const quiet = await cli(['doctor', '--quiet'], env);
    expect(quiet.stdout).toContain('✘ Redis');
    expect(quiet.stdout).not.toContain('✔');
  });
});
