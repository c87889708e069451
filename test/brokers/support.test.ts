/** versions.env parsing, compose ps parsing, wait strategy messages, the status table. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../src/errors.js';
import { makeColors, statusTable } from '../../src/brokers/format.js';
import { BROKERS } from '../../src/brokers/registry.js';
import { parseComposePs } from '../../src/brokers/runtimes/compose.js';
import { nativeDirs } from '../../src/brokers/runtimes/native.js';
import { parseEnvFile, repoRoot, vendorDir, versions } from '../../src/brokers/versions.js';
import { waitUntilReady } from '../../src/brokers/wait.js';

describe('versions', () => {
  it('parses KEY=VALUE files, ignoring comments and quotes', () => {
    expect(parseEnvFile('# c\nA=1\n\n B = "two" \nnot a line\nC=\'3\'')).toEqual({ A: '1', B: 'two', C: '3' });
  });

  it('reads scripts/versions.env from the repository root', () => {
    expect(repoRoot()).toMatch(/./);
    const v = versions();
    expect(v.kafka).toMatch(/^\d+\.\d+\.\d+$/);
    expect(v.elasticmq).toMatch(/^\d+\.\d+\.\d+$/);
    expect(v.toxiproxy).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  it('puts the vendor dir under the home unless BROKERLAB_VENDOR says otherwise', () => {
    expect(vendorDir({ BROKERLAB_HOME: '/h' })).toBe('/h/vendor');
    expect(vendorDir({ BROKERLAB_HOME: '/h', BROKERLAB_VENDOR: '/v' })).toBe('/v');
    expect(nativeDirs('kafka', { BROKERLAB_HOME: '/h' })).toMatchObject({
      brokerDir: '/h/brokers/kafka',
      dataDir: '/h/brokers/kafka/data',
      logsDir: '/h/brokers/kafka/logs',
      configDir: '/h/brokers/kafka/config',
    });
  });

  it('says how to install a missing Kafka, ElasticMQ or toxiproxy', () => {
    const empty = mkdtempSync(join(tmpdir(), 'brokerlab-vendor-'));
    try {
      const dirs = nativeDirs('kafka', { BROKERLAB_HOME: empty });
      expect(() => BROKERS.kafka.native.checkInstalled(dirs)).toThrow(
        new RegExp(`^Kafka ${versions().kafka.replaceAll('.', '\\.')} is not installed \\(no jars in .*\\)\\. Run: npm run setup$`),
      );
      expect(() => BROKERS.sqs.native.checkInstalled(dirs)).toThrow(/ElasticMQ .* is not installed .* Run: npm run setup/);
      expect(() => BROKERS.toxiproxy.native.checkInstalled(dirs)).toThrow(/Toxiproxy v.* is not installed .* Run: npm run setup/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('parseComposePs', () => {
  it('reads JSON lines (Compose >= 2.21) and a JSON array (older)', () => {
    const line = '{"Name":"brokerlab-kafka-1","Service":"kafka","State":"running","Health":"healthy"}';
    expect(parseComposePs(line)).toEqual([{ name: 'brokerlab-kafka-1', state: 'running', health: 'healthy' }]);
    expect(parseComposePs(`[${line}]`)).toEqual(parseComposePs(line));
    expect(parseComposePs('')).toEqual([]);
  });
});

describe('waitUntilReady', () => {
  it('returns once the probe passes', async () => {
    let attempts = 0;
    const probe = async () => {
      if (++attempts < 3) throw new Error('not yet');
    };
    await waitUntilReady({ label: 'Redis', awaited: 'PING on 127.0.0.1:6379', probe, timeoutMs: 5_000 });
    expect(attempts).toBe(3);
  });

  it('says what was awaited, for how long, and where the log is', async () => {
    const probe = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9092');
    };
    const waiting = waitUntilReady({
      label: 'Kafka',
      awaited: 'describeCluster on 127.0.0.1:9092',
      probe,
      timeoutMs: 600,
      log: '~/.brokerlab/brokers/kafka/logs/server.log',
    });
    await expect(waiting).rejects.toThrow(EnvironmentError);
    await expect(waiting).rejects.toThrow(
      'Kafka did not become ready within 0.6s (waited for describeCluster on 127.0.0.1:9092); see ~/.brokerlab/brokers/kafka/logs/server.log',
    );
    await expect(waiting).rejects.toMatchObject({ hint: 'last probe error: connect ECONNREFUSED 127.0.0.1:9092' });
  });

  it('stops waiting at once when the process died', async () => {
    const started = Date.now();
    const waiting = waitUntilReady({
      label: 'Kafka',
      awaited: 'describeCluster on 127.0.0.1:9092',
      probe: async () => Promise.reject(new Error('refused')),
      timeoutMs: 30_000,
      stillRunning: () => false,
    });
    await expect(waiting).rejects.toThrow(/^Kafka exited while starting/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('statusTable', () => {
  it('aligns broker, URL, health and how it was started, without colour under NO_COLOR', () => {
    const table = statusTable(
      [
        { name: 'redis', runtime: 'native', url: 'redis://127.0.0.1:6379', health: 'healthy', detail: 'native, pid 7, started 09:12 by brokerlab' },
        { name: 'kafka', runtime: 'external', url: 'k:9092', health: 'unreachable', detail: 'external (BROKERLAB_KAFKA_BROKERS)' },
      ],
      makeColors({ NO_COLOR: '1' }),
    );
    expect(table.split('\n')).toEqual([
      'BROKER  URL                     HEALTH       STARTED',
      'redis   redis://127.0.0.1:6379  healthy      native, pid 7, started 09:12 by brokerlab',
      'kafka   k:9092                  unreachable  external (BROKERLAB_KAFKA_BROKERS)',
    ]);
  });
});
