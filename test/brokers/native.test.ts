/**
 * The native runtime against real processes: up -> status -> down for ElasticMQ, moto (SNS),
 * the Pub/Sub emulator, PostgreSQL, toxiproxy and Prometheus under a throwaway BROKERLAB_HOME (with the installed vendor dir), and proof
 * that nothing is left behind. Redis, RabbitMQ and Kafka belong to the suite's global setup and
 * are never started or stopped here; Redis only serves as "a port somebody else holds". The
 * suite's own toxiproxy and PostgreSQL are stopped for the test and started again after it.
 * The 3-node Kafka cluster gets its own throwaway home too: up (three nodes), status (each node,
 * the active controller), a crashed node brought back alone, down (~30 s).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../src/errors.js';
import { down, ensureReachable, status, up } from '../../src/brokers/index.js';
import type { NativeState } from '../../src/brokers/definition.js';
import { isListening } from '../../src/brokers/net.js';
import { portsOf } from '../../src/brokers/ports.js';
import { findExecutable, groupMembers, isAlive, pollUntil } from '../../src/brokers/process.js';
import { nativeDirs } from '../../src/brokers/runtimes/native.js';

const BROKERS = ['sqs', 'sns', 'pubsub', 'postgres', 'toxiproxy', 'prometheus'] as const;
/** The jars and binaries scripts/install.sh put under the real home (or BROKERLAB_VENDOR). */
const REAL_VENDOR = process.env.BROKERLAB_VENDOR ?? join(homedir(), '.brokerlab', 'vendor');

/** A throwaway home, and an environment that names it and never makes these brokers external. */
function testEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BROKERLAB_HOME: home, BROKERLAB_VENDOR: REAL_VENDOR };
  for (const key of ['BROKERLAB_SQS_ENDPOINT', 'BROKERLAB_SNS_ENDPOINT', 'BROKERLAB_PUBSUB_EMULATOR_HOST', 'BROKERLAB_PROMETHEUS_URL', 'BROKERLAB_POSTGRES_URL', 'BROKERLAB_TOXIPROXY_URL', 'BROKERLAB_REDIS_URL', 'BROKERLAB_RUNTIME']) {
    delete env[key];
  }
  return env;
}

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'brokerlab-test-home-'));
  // mkdtemp makes it 0700; PostgreSQL runs as the "postgres" user when we are root and must
  // reach its cluster inside this home (else it would be placed under /var/lib/postgresql).
  chmodSync(home, 0o755);
  return home;
}

describe('native runtime: sqs, sns, pubsub, postgres, toxiproxy, prometheus', () => {
  const home = newHome();
  const env = testEnv(home);
  const states: NativeState[] = [];

  // The suite's global setup runs toxiproxy (network faults), PostgreSQL (the outbox), ElasticMQ
  // (the SQS exercise), moto (SNS) and Prometheus, when running, from the real home: they make way for this test's own and
  // come back afterwards (test files run one at a time, so no run needs them meanwhile).
  const suiteBrokers: Array<'toxiproxy' | 'postgres' | 'sqs' | 'sns' | 'pubsub' | 'prometheus'> = [];

  beforeAll(async () => {
    for (const name of ['toxiproxy', 'postgres', 'sqs', 'sns', 'pubsub', 'prometheus'] as const) {
      if (!(await isListening(portsOf(name)[0] ?? 0))) continue;
      const [result] = await down([name], { runtime: 'native' });
      if (result?.action === 'stopped') suiteBrokers.push(name);
    }
    for (const name of BROKERS) {
      for (const port of portsOf(name)) {
        if (await isListening(port)) {
          throw new Error(`port ${port} (${name}) is already in use; stop that broker (brokerlab down ${name}) before running this test`);
        }
      }
    }
  });

  afterAll(async () => {
    await down([...BROKERS], { env, runtime: 'native' }).catch(() => {});
    rmSync(home, { recursive: true, force: true });
    if (suiteBrokers.length > 0) await up(suiteBrokers, { runtime: 'native' });
  });

  it('starts all six and waits until each answers', async () => {
    const results = await up([...BROKERS], { env, runtime: 'native' });
    expect(results.map((r) => [r.name, r.runtime, r.action])).toEqual(BROKERS.map((name) => [name, 'native', 'started']));
    for (const name of BROKERS) {
      const dirs = nativeDirs(name, env);
      const state = JSON.parse(readFileSync(join(dirs.brokerDir, 'state.json'), 'utf8')) as NativeState;
      expect(state).toMatchObject({ runtime: 'native', pgid: state.pid });
      expect(isAlive(state.pid)).toBe(true);
      states.push(state);
    }
    // PostgreSQL's cluster went into this home, owned by whoever runs the server.
    expect(existsSync(join(nativeDirs('postgres', env).dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
  });

  it('leaves running brokers alone on a second up', async () => {
    const again = await up([...BROKERS], { env, runtime: 'native' });
    expect(again.map((r) => r.action)).toEqual(BROKERS.map(() => 'already-running'));
  });

  it('reports them healthy, started by brokerlab, and reachable for the runner', async () => {
    const rows = await status([...BROKERS], { env });
    for (const [i, row] of rows.entries()) {
      expect(row).toMatchObject({ name: BROKERS[i], runtime: 'native', health: 'healthy' });
      expect(row.detail).toMatch(new RegExp(`^native, pid ${states[i]!.pid}, started .* by brokerlab$`));
    }
    const endpoints = await ensureReachable([...BROKERS], { env });
    expect(endpoints.sqs.endpoint).toBe('http://127.0.0.1:9324');
    expect(endpoints.sns.endpoint).toBe('http://127.0.0.1:9326');
    expect(endpoints.pubsub).toEqual({ emulatorHost: '127.0.0.1:8085', projectId: 'brokerlab' });
    expect(endpoints.postgres.url).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(endpoints.toxiproxy.apiUrl).toBe('http://127.0.0.1:8474');
    expect(endpoints.prometheus.url).toBe('http://127.0.0.1:9090');
  });

  it('stops exactly what it started and leaves nothing running', async () => {
    const results = await down([...BROKERS], { env });
    expect(results.map((r) => [r.name, r.action])).toEqual([
      ['prometheus', 'stopped'],
      ['toxiproxy', 'stopped'],
      ['postgres', 'stopped'],
      ['pubsub', 'stopped'],
      ['sns', 'stopped'],
      ['sqs', 'stopped'],
    ]);
    for (const state of states) {
      expect(isAlive(state.pid), `pid ${state.pid}`).toBe(false);
      expect(groupMembers(state.pgid), `process group ${state.pgid}`).toEqual([]);
    }
    for (const name of BROKERS) {
      for (const port of portsOf(name)) expect(await isListening(port), `port ${port}`).toBe(false);
      expect(existsSync(join(nativeDirs(name, env).brokerDir, 'state.json'))).toBe(false);
    }
    // PostgreSQL's server processes put themselves in their own process groups; they must be gone too.
    expect(await pollUntil(() => !psLines().some((line) => line.includes(home)), 5_000)).toBe(true);
  });

  it('says "not running" when asked to stop again', async () => {
    const results = await down([...BROKERS], { env });
    expect(results.map((r) => r.action)).toEqual(BROKERS.map(() => 'not-running'));
    const rows = await status([...BROKERS], { env });
    expect(rows.map((r) => r.health)).toEqual(BROKERS.map(() => 'unreachable'));
  });
});

describe('native runtime: port taken', () => {
  it('refuses to start Redis when another process holds 6379, suggesting it as external', async () => {
    // Use the suite's Redis if one runs; otherwise hold the port with a Redis of our own.
    let own: ReturnType<typeof spawn> | undefined;
    if (!(await isListening(6379))) {
      const server = findExecutable(['redis-server']);
      if (!server) throw new Error('redis-server is not installed; run: npm run setup');
      own = spawn(server, ['--port', '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      expect(await pollUntil(() => isListening(6379), 5_000)).toBe(true);
    }
    const home = newHome();
    try {
      const attempt = up(['redis'], { env: testEnv(home), runtime: 'native' });
      await expect(attempt).rejects.toThrow(EnvironmentError);
      await expect(attempt).rejects.toThrow(
        'cannot start Redis: port 6379 is already in use by another process (not started by brokerlab). ' +
          'Stop it, or use it as an external broker: BROKERLAB_REDIS_URL=redis://127.0.0.1:6379',
      );
      // Nothing was started or recorded for that home.
      expect(existsSync(join(nativeDirs('redis', testEnv(home)).brokerDir, 'state.json'))).toBe(false);
      // And `down` leaves the other process alone.
      const [result] = await down(['redis'], { env: testEnv(home), runtime: 'native' });
      expect(result).toMatchObject({ action: 'not-running' });
      expect(await isListening(6379)).toBe(true);
    } finally {
      if (own) {
        own.kill('SIGTERM');
        await pollUntil(async () => !(await isListening(6379)), 5_000);
      }
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('native runtime: not installed', () => {
  it('tells how to install a missing broker instead of starting anything', async () => {
    const home = newHome();
    try {
      const env = { ...testEnv(home), BROKERLAB_VENDOR: join(home, 'no-vendor') };
      await expect(up(['toxiproxy'], { env, runtime: 'native' })).rejects.toThrow(/^Toxiproxy v[\d.]+ is not installed \(no .*\)\. Run: npm run setup$/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

/** Command lines of all processes, from /proc (enough to spot a leftover broker by its paths). */
function psLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // gone meanwhile
    }
  }
  return lines;
}


describe('native runtime: kafka-cluster', () => {
  const home = newHome();
  const env = testEnv(home);
  delete env.BROKERLAB_KAFKA_CLUSTER_BROKERS;
  let suiteHadCluster = false;
  const pids = (): number[] =>
    [1, 2, 3].map((id) => (JSON.parse(readFileSync(join(nativeDirs('kafka-cluster', env, id).brokerDir, 'state.json'), 'utf8')) as NativeState).pid);

  beforeAll(async () => {
    // The real home's cluster, if one runs, makes way (nothing else uses it during this file).
    const [result] = await down(['kafka-cluster'], { runtime: 'native' });
    suiteHadCluster = result?.action === 'stopped';
  });

  afterAll(async () => {
    await down(['kafka-cluster'], { env, runtime: 'native' }).catch(() => {});
    rmSync(home, { recursive: true, force: true });
    if (suiteHadCluster) await up(['kafka-cluster'], { runtime: 'native' });
  });

  it('starts three nodes, each with its own state, folders and process group', async () => {
    const [result] = await up(['kafka-cluster'], { env, runtime: 'native' });
    expect(result).toMatchObject({ name: 'kafka-cluster', runtime: 'native', action: 'started', url: '127.0.0.1:9101,127.0.0.1:9102,127.0.0.1:9103' });
    expect(result?.detail).toMatch(/^native, 3 nodes \(pids \d+, \d+, \d+\), started .* by brokerlab$/);
    for (const id of [1, 2, 3]) {
      const dirs = nativeDirs('kafka-cluster', env, id);
      expect(dirs.brokerDir).toBe(join(home, 'brokers', 'kafka-cluster', `node-${id}`));
      expect(readFileSync(join(dirs.configDir, 'server.properties'), 'utf8')).toContain(`node.id=${id}`);
      expect(existsSync(join(dirs.dataDir, 'kraft-logs', 'meta.properties'))).toBe(true);
    }
    const [a, b, c] = pids();
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('shows each node and the active controller in status', async () => {
    const [row] = await status(['kafka-cluster'], { env });
    expect(row).toMatchObject({ health: 'healthy', runtime: 'native' });
    expect(row?.nodes?.map((node) => [node.id, node.address, node.state])).toEqual([
      [1, '127.0.0.1:9101', 'up'],
      [2, '127.0.0.1:9102', 'up'],
      [3, '127.0.0.1:9103', 'up'],
    ]);
    expect(row?.nodes?.filter((node) => node.controller)).toHaveLength(1);
  });

  it('brings back only a node that crashed, and the cluster answers again', async () => {
    const before = pids();
    process.kill(-before[1]!, 'SIGKILL');
    expect(await pollUntil(() => groupMembers(before[1]!).length === 0, 5_000)).toBe(true);
    const [row] = await status(['kafka-cluster'], { env });
    expect(row?.health).toBe('degraded');
    expect(row?.nodes?.map((node) => node.state)).toEqual(['up', 'down', 'up']);
    const [result] = await up(['kafka-cluster'], { env, runtime: 'native' });
    expect(result?.action).toBe('started');
    const after = pids();
    expect([after[0], after[2]]).toEqual([before[0], before[2]]);
    expect(after[1]).not.toBe(before[1]);
    // `up` returned once every node saw three brokers; right after a node's return a view can
    // still flap for a moment on a loaded machine (CI saw one), so the cluster gets a while to
    // settle, and the last failure's reason is shown if it never does.
    let lastReason = '';
    const settled = await pollUntil(async () => {
      try {
        await ensureReachable(['kafka-cluster'], { env });
        return true;
      } catch (error) {
        lastReason = error instanceof EnvironmentError ? `${error.message} (${error.hint ?? ''})` : String(error);
        return false;
      }
    }, 30_000);
    expect(settled, lastReason).toBe(true);
  });

  it('stops all three on down and leaves nothing running', async () => {
    const running = pids();
    const [result] = await down(['kafka-cluster'], { env });
    expect(result).toMatchObject({ action: 'stopped' });
    for (const pid of running) expect(groupMembers(pid), `process group ${pid}`).toEqual([]);
    for (const port of portsOf('kafka-cluster')) expect(await isListening(port), `port ${port}`).toBe(false);
    for (const id of [1, 2, 3]) expect(existsSync(join(nativeDirs('kafka-cluster', env, id).brokerDir, 'state.json'))).toBe(false);
  });
});

describe('native runtime: rabbitmq-cluster', () => {
  const home = newHome();
  const env = testEnv(home);
  delete env.BROKERLAB_RABBITMQ_CLUSTER_URLS;
  let suiteHadCluster = false;
  const pids = (): number[] =>
    [1, 2, 3].map((id) => (JSON.parse(readFileSync(join(nativeDirs('rabbitmq-cluster', env, id).brokerDir, 'state.json'), 'utf8')) as NativeState).pid);
  const runningNodes = async (port: number): Promise<string[]> => {
    const response = await fetch(`http://127.0.0.1:${port}/api/nodes?columns=name,running`, { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } });
    return ((await response.json()) as Array<{ name: string; running: boolean }>).filter((node) => node.running).map((node) => node.name).sort();
  };
  const ALL = ['brokerlab-1@localhost', 'brokerlab-2@localhost', 'brokerlab-3@localhost'];

  beforeAll(async () => {
    // The real home's cluster, if one runs, makes way (nothing else uses it during this file).
    const [result] = await down(['rabbitmq-cluster'], { runtime: 'native' });
    suiteHadCluster = result?.action === 'stopped';
  });

  afterAll(async () => {
    await down(['rabbitmq-cluster'], { env, runtime: 'native' }).catch(() => {});
    rmSync(home, { recursive: true, force: true });
    if (suiteHadCluster) await up(['rabbitmq-cluster'], { runtime: 'native' });
  });

  it('starts three clustered nodes, each with its own name, state, folders and process group, one cookie', async () => {
    const [result] = await up(['rabbitmq-cluster'], { env, runtime: 'native' });
    expect(result).toMatchObject({ name: 'rabbitmq-cluster', runtime: 'native', action: 'started' });
    expect(result?.url).toBe('amqp://guest:guest@127.0.0.1:5681,amqp://guest:guest@127.0.0.1:5682,amqp://guest:guest@127.0.0.1:5683');
    for (const id of [1, 2, 3]) {
      const dirs = nativeDirs('rabbitmq-cluster', env, id);
      expect(dirs.brokerDir).toBe(join(home, 'brokers', 'rabbitmq-cluster', `node-${id}`));
      expect(readFileSync(join(dirs.configDir, 'rabbitmq.conf'), 'utf8')).toContain(`listeners.tcp.default = 127.0.0.1:${5680 + id}`);
      expect(await runningNodes(15_680 + id)).toEqual(ALL);
    }
    expect(existsSync(join(home, 'brokers', 'rabbitmq-cluster', 'home', '.erlang.cookie'))).toBe(true);
    expect(new Set(pids()).size).toBe(3);
  }, 150_000);

  it('shows each node in status', async () => {
    const [row] = await status(['rabbitmq-cluster'], { env });
    expect(row).toMatchObject({ health: 'healthy', runtime: 'native' });
    expect(row?.nodes?.map((node) => [node.id, node.address, node.state])).toEqual([
      [1, '127.0.0.1:5681', 'up'],
      [2, '127.0.0.1:5682', 'up'],
      [3, '127.0.0.1:5683', 'up'],
    ]);
  });

  it('brings back only a node that crashed, and it rejoins the cluster', async () => {
    const before = pids();
    process.kill(-before[0]!, 'SIGKILL');
    expect(await pollUntil(() => groupMembers(before[0]!).length === 0, 5_000)).toBe(true);
    const [row] = await status(['rabbitmq-cluster'], { env });
    expect(row?.health).toBe('degraded');
    expect(row?.nodes?.map((node) => node.state)).toEqual(['down', 'up', 'up']);
    const [result] = await up(['rabbitmq-cluster'], { env, runtime: 'native' });
    expect(result?.action).toBe('started');
    const after = pids();
    expect([after[1], after[2]]).toEqual([before[1], before[2]]);
    expect(after[0]).not.toBe(before[0]);
    expect(await runningNodes(15_681)).toEqual(ALL);
  }, 90_000);

  it('stops all three on down and leaves nothing running', async () => {
    const running = pids();
    const [result] = await down(['rabbitmq-cluster'], { env });
    expect(result).toMatchObject({ action: 'stopped' });
    for (const pid of running) expect(groupMembers(pid), `process group ${pid}`).toEqual([]);
    for (const port of portsOf('rabbitmq-cluster')) expect(await isListening(port), `port ${port}`).toBe(false);
    for (const id of [1, 2, 3]) expect(existsSync(join(nativeDirs('rabbitmq-cluster', env, id).brokerDir, 'state.json'))).toBe(false);
  }, 60_000);
});
