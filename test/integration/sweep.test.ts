// `brokerlab up` removes namespaces left by runs whose brokerlab was killed before cleanup,
// and nothing else.
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { rabbitmq } from '../../src/brokers/rabbitmq.js';
import { newRunId, runNamespaceOf } from '../../src/namespaces/names.js';
import { createVhost, managementApi } from '../../src/namespaces/rabbitmq.js';
import { pubsub } from '../../src/brokers/pubsub.js';
import { connectPubsub, deletePubsubNamespace, pubsubNamesMatching } from '../../src/namespaces/pubsub.js';
import { cli } from '../helpers.js';

/** The namespace of a run started long ago, whose brokerlab never cleaned up. */
const STALE = runNamespaceOf(newRunId('sweep-test', new Date('2020-01-01T00:00:00Z')));

describe('brokerlab up sweeps namespaces of runs that could not clean up', () => {
  it('deletes a stale run namespace in Redis, RabbitMQ and Kafka and keeps a current one', async () => {
    const current = runNamespaceOf(newRunId('sweep-test'));
    const api = managementApi(rabbitmq.defaultEndpoint);
    const redis = new Redis('redis://127.0.0.1:6379');
    const admin = new Kafka({ brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await redis.set(`${STALE}:orders:latest`, '1');
      await redis.set(`${current}:orders:latest`, '1');
      await createVhost(api, STALE, rabbitmq.defaultEndpoint.username);
      await admin.createTopics({ topics: [{ topic: `${STALE}.payments`, numPartitions: 1 }] });

      const r = await cli(['up', 'redis', 'rabbitmq', 'kafka']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`removed 3 namespaces left by runs that could not clean up: redis ${STALE}, rabbitmq ${STALE}, kafka ${STALE}`);
      expect(await redis.exists(`${STALE}:orders:latest`)).toBe(0);
      expect(await redis.exists(`${current}:orders:latest`)).toBe(1);
      expect((await api('GET', `/vhosts/${STALE}`)).status).toBe(404);
      expect(await admin.listTopics()).not.toContain(`${STALE}.payments`);
    } finally {
      await redis.del(`${STALE}:orders:latest`, `${current}:orders:latest`);
      redis.disconnect();
      await admin.disconnect();
    }
  });

  it('deletes a stale run namespace in the Pub/Sub emulator (topics and subscriptions) and keeps a current one', async () => {
    const current = runNamespaceOf(newRunId('sweep-test'));
    const client = await connectPubsub(pubsub.defaultEndpoint);
    try {
      const [staleTopic] = await client.createTopic(`${STALE}-orders`);
      await staleTopic.createSubscription(`${STALE}-orders-billing`);
      await client.createTopic(`${current}-orders`);

      const r = await cli(['up', 'pubsub']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`removed 1 namespace left by runs that could not clean up: pubsub ${STALE}`);
      const names = await pubsubNamesMatching(client, 'bl-');
      expect(names.topics).toEqual([`${current}-orders`]);
      expect(names.subscriptions).toEqual([]);
    } finally {
      await deletePubsubNamespace(client, current);
      await client.close();
    }
  });
});

describe('brokerlab up sweeps Prometheus target files of runs that could not clean up', () => {
  it('deletes a stale run\'s target file and keeps a current one', async () => {
    const { existsSync, mkdirSync, rmSync, writeFileSync } = await import('node:fs');
    const { prometheusTargetsDir } = await import('../../src/brokers/prometheus.js');
    const { targetFileContent, targetFileOf } = await import('../../src/workloads/blocks/prometheus.js');
    const current = runNamespaceOf(newRunId('sweep-test'));
    mkdirSync(prometheusTargetsDir(), { recursive: true });
    // A dead address, as a killed run leaves it: Prometheus would scrape it forever.
    writeFileSync(targetFileOf(STALE), targetFileContent(STALE, [9]));
    writeFileSync(targetFileOf(current), targetFileContent(current, [9]));
    try {
      const r = await cli(['up', 'prometheus']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`removed 1 namespace left by runs that could not clean up: prometheus ${STALE}.json`);
      expect(existsSync(targetFileOf(STALE))).toBe(false);
      expect(existsSync(targetFileOf(current))).toBe(true);
    } finally {
      rmSync(targetFileOf(STALE), { force: true });
      rmSync(targetFileOf(current), { force: true });
    }
  });
});
