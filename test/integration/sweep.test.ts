// `brokerlab up` removes namespaces left by runs whose brokerlab was killed before cleanup,
// and nothing else.
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers.js';

const STALE = 'bl-20200101000000swep';
const auth = { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`, 'content-type': 'application/json' };

describe('brokerlab up sweeps namespaces of runs that could not clean up', () => {
  it('deletes a stale run namespace in Redis, RabbitMQ and Kafka and keeps a current one', async () => {
    const current = `bl-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}swep`;
    const redis = new Redis('redis://127.0.0.1:6379');
    const admin = new Kafka({ brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await redis.set(`${STALE}:orders:latest`, '1');
      await redis.set(`${current}:orders:latest`, '1');
      expect((await fetch(`http://127.0.0.1:15672/api/vhosts/${STALE}`, { method: 'PUT', headers: auth, body: '{}' })).ok).toBe(true);
      await admin.createTopics({ topics: [{ topic: `${STALE}.payments`, numPartitions: 1 }] });

      const r = await cli(['up', 'redis', 'rabbitmq', 'kafka']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`removed 3 namespaces left by runs that could not clean up: redis ${STALE}, rabbitmq ${STALE}, kafka ${STALE}`);
      expect(await redis.exists(`${STALE}:orders:latest`)).toBe(0);
      expect(await redis.exists(`${current}:orders:latest`)).toBe(1);
      expect((await fetch(`http://127.0.0.1:15672/api/vhosts/${STALE}`, { headers: auth })).status).toBe(404);
      expect(await admin.listTopics()).not.toContain(`${STALE}.payments`);
    } finally {
      await redis.del(`${STALE}:orders:latest`, `${current}:orders:latest`);
      redis.disconnect();
      await admin.disconnect();
    }
  });
});
