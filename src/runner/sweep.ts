/**
 * Run namespaces left in the brokers by runs whose brokerlab was killed (kill -9, a cancelled
 * CI job) before its cleanup ran. Every run names its keys, vhost, topics and groups
 * "bl-<UTC start time, 14 digits><4 random characters>" (see runner/run.ts); a namespace
 * whose run started longer ago than any run can last (ORPHAN_AGE_MS) is garbage.
 * `brokerlab up` sweeps them from the brokers brokerlab runs itself (never from an external,
 * possibly shared, cluster).
 */
import { startedLongAgo } from './stragglers.js';
import type { Endpoints } from '../brokers/types.js';

const RUN_NAMESPACE = /^(bl-(\d{14})[a-z0-9]{4})(?:[.:]|$)/;

/** The run namespace a broker name belongs to, if that run is long over by `now`. */
export function staleNamespaceOf(name: string, now: Date): string | undefined {
  const m = RUN_NAMESPACE.exec(name);
  return m?.[1] && m[2] && startedLongAgo(m[2], now) ? m[1] : undefined;
}

/** Deletes stale run namespaces from the given brokers; returns what it deleted, by broker. */
export async function sweepStaleNamespaces(endpoints: Partial<Pick<Endpoints, 'redis' | 'rabbitmq' | 'kafka'>>, now = new Date()): Promise<string[]> {
  const swept: string[] = [];
  if (endpoints.redis) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(endpoints.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      const stale: string[] = [];
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', 'bl-*', 'COUNT', 500);
        cursor = next;
        stale.push(...keys.filter((key) => staleNamespaceOf(key, now)));
      } while (cursor !== '0');
      if (stale.length > 0) await redis.del(...stale);
      swept.push(...new Set(stale.map((key) => `redis ${staleNamespaceOf(key, now)}`)));
    } finally {
      redis.disconnect();
    }
  }
  if (endpoints.rabbitmq) {
    const rabbit = endpoints.rabbitmq;
    const headers = { authorization: `Basic ${Buffer.from(`${rabbit.username}:${rabbit.password}`).toString('base64')}` };
    const response = await fetch(`${rabbit.managementUrl}/api/vhosts`, { headers, signal: AbortSignal.timeout(5_000) });
    if (response.ok) {
      const vhosts = ((await response.json()) as Array<{ name: string }>).map((v) => v.name).filter((name) => staleNamespaceOf(name, now) === name);
      for (const vhost of vhosts) {
        await fetch(`${rabbit.managementUrl}/api/vhosts/${encodeURIComponent(vhost)}`, { method: 'DELETE', headers, signal: AbortSignal.timeout(10_000) });
        swept.push(`rabbitmq ${vhost}`);
      }
    }
  }
  if (endpoints.kafka) {
    const { Kafka, logLevel } = (await import('kafkajs')).default;
    const admin = new Kafka({ clientId: 'brokerlab-sweep', brokers: endpoints.kafka.brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((t) => staleNamespaceOf(t, now));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
      // A group with members left cannot be deleted; its members are long dead, so by the
      // next sweep their sessions have expired.
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => staleNamespaceOf(g, now));
      if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
      swept.push(...new Set([...topics, ...groups].map((name) => `kafka ${staleNamespaceOf(name, now)}`)));
    } finally {
      await admin.disconnect();
    }
  }
  return swept;
}
