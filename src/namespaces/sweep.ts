/**
 * Run namespaces left in the brokers by runs whose brokerlab was killed (kill -9, a cancelled
 * CI job) before its cleanup ran, and what any run left behind (for tests and `doctor`).
 * `brokerlab up` sweeps stale ones from the brokers brokerlab runs itself (never from an
 * external, possibly shared, cluster).
 */
import type { Endpoints } from '../brokers/types.js';
import { toxiproxyApi } from '../faults/toxiproxy.js';
import { connectKafkaAdmin, deleteMatching, namesMatching } from './kafka.js';
import { NAMESPACE_PREFIX, isBrokerlabName, staleNamespaceOf } from './names.js';
import { connectPostgres, dropDatabase, listDatabases } from './postgres.js';
import { removeTargetFiles, targetFiles } from './prometheus.js';
import { deleteVhost, listVhosts, managementApi } from './rabbitmq.js';
import { connectRedis, deleteKeys, keysMatching } from './redis.js';
import { connectPubsub, deletePubsubNamespace, pubsubNamesMatching } from './pubsub.js';
import { closeSns, connectSns, deleteSnsNamespace, snsNamesMatching } from './sns.js';
import { connectSqs, deleteQueues, queueNameOf, queuesMatching } from './sqs.js';

type Brokers = Partial<Pick<Endpoints, 'redis' | 'rabbitmq' | 'rabbitmq-cluster' | 'kafka' | 'kafka-cluster' | 'sqs' | 'sns' | 'pubsub' | 'postgres' | 'toxiproxy' | 'prometheus'>>;

/** The single Kafka and the 3-node cluster keep run namespaces the same way (topics, groups). */
const KAFKAS = ['kafka', 'kafka-cluster'] as const;
/** The single RabbitMQ and the 3-node cluster keep a run's namespace as a vhost of its own. */
const RABBITS = ['rabbitmq', 'rabbitmq-cluster'] as const;

/** Where Prometheus's target files are: brokerlab's own folder unless a test names another. */
export interface SweepOptions {
  targetsDir?: string;
}

/** Deletes stale run namespaces from the given brokers; returns what it deleted, by broker. */
export async function sweepStaleNamespaces(endpoints: Brokers, now = new Date(), options: SweepOptions = {}): Promise<string[]> {
  const swept: string[] = [];
  const stale = (name: string) => staleNamespaceOf(name, now) !== undefined;
  if (endpoints.redis) {
    const redis = await connectRedis(endpoints.redis.url);
    try {
      const keys = (await keysMatching(redis, `${NAMESPACE_PREFIX}*`)).filter(stale);
      for (const namespace of new Set(keys.map((key) => staleNamespaceOf(key, now)))) {
        await deleteKeys(redis, `${namespace}*`);
        swept.push(`redis ${namespace}`);
      }
    } finally {
      redis.disconnect();
    }
  }
  for (const rabbit of RABBITS) {
    const endpoint = endpoints[rabbit];
    if (!endpoint) continue;
    const api = managementApi(endpoint);
    for (const vhost of (await listVhosts(api)).filter((name) => staleNamespaceOf(name, now) === name)) {
      await deleteVhost(api, vhost);
      swept.push(`${rabbit} ${vhost}`);
    }
  }
  for (const kafka of KAFKAS) {
    const endpoint = endpoints[kafka];
    if (!endpoint) continue;
    const admin = await connectKafkaAdmin(endpoint.brokers, undefined, 'brokerlab-sweep');
    try {
      // A group whose members are long dead can be deleted; one still in use waits for the next sweep.
      const { topics, groups } = await deleteMatching(admin, stale, 0).catch(async () => namesMatching(admin, stale));
      swept.push(...new Set([...topics, ...groups].map((name) => `${kafka} ${staleNamespaceOf(name, now)}`)));
    } finally {
      await admin.disconnect();
    }
  }
  if (endpoints.sqs) {
    const sqs = await connectSqs(endpoints.sqs);
    try {
      const names = (await queuesMatching(sqs, NAMESPACE_PREFIX)).map(queueNameOf).filter(stale);
      for (const namespace of new Set(names.map((name) => staleNamespaceOf(name, now)))) {
        if (namespace === undefined) continue;
        await deleteQueues(sqs, namespace);
        swept.push(`sqs ${namespace}`);
      }
    } finally {
      sqs.destroy();
    }
  }
  if (endpoints.sns) {
    // Topics, their subscriptions and moto's own queues, all named under the run's namespace.
    const sns = await connectSns(endpoints.sns);
    try {
      const { topics, queues } = await snsNamesMatching(sns, NAMESPACE_PREFIX);
      for (const namespace of new Set([...topics, ...queues].filter(stale).map((name) => staleNamespaceOf(name, now)))) {
        if (namespace === undefined) continue;
        await deleteSnsNamespace(sns, namespace);
        swept.push(`sns ${namespace}`);
      }
    } finally {
      closeSns(sns);
    }
  }
  if (endpoints.pubsub) {
    const pubsub = await connectPubsub(endpoints.pubsub);
    try {
      const { topics, subscriptions } = await pubsubNamesMatching(pubsub, NAMESPACE_PREFIX);
      for (const namespace of new Set([...topics, ...subscriptions].filter(stale).map((name) => staleNamespaceOf(name, now)))) {
        if (namespace === undefined) continue;
        await deletePubsubNamespace(pubsub, namespace);
        swept.push(`pubsub ${namespace}`);
      }
    } finally {
      await pubsub.close().catch(() => {});
    }
  }
  if (endpoints.postgres) {
    const client = await connectPostgres(endpoints.postgres.url);
    try {
      for (const database of (await listDatabases(client)).filter((name) => staleNamespaceOf(name, now) === name)) {
        await dropDatabase(client, database);
        swept.push(`postgres ${database}`);
      }
    } finally {
      await client.end().catch(() => {});
    }
  }
  if (endpoints.toxiproxy) {
    // Network faults' proxies ("<namespace>.redis"): a killed brokerlab left them, maybe with a toxic on.
    const api = toxiproxyApi(endpoints.toxiproxy);
    for (const proxy of (await api.list()).filter((p) => stale(p.name))) {
      await api.remove(proxy.name);
      swept.push(`toxiproxy ${proxy.name}`);
    }
  }
  if (endpoints.prometheus) {
    // Target files ("<namespace>.json") of runs long over: Prometheus would scrape their dead addresses forever.
    for (const file of removeTargetFiles(stale, options.targetsDir)) swept.push(`prometheus ${file}`);
  }
  return swept;
}

/** Every brokerlab name ("bl-...") still in the given brokers, as "redis key x", "kafka topic y". */
export async function leftovers(endpoints: Brokers, match: (name: string) => boolean = isBrokerlabName, options: SweepOptions = {}): Promise<string[]> {
  const found: string[] = [];
  if (endpoints.prometheus) {
    found.push(...targetFiles(options.targetsDir).filter(match).map((f) => `prometheus target file ${f}`));
  }
  if (endpoints.redis) {
    const redis = await connectRedis(endpoints.redis.url);
    try {
      found.push(...(await keysMatching(redis, `${NAMESPACE_PREFIX}*`)).filter(match).map((k) => `redis key ${k}`));
    } finally {
      redis.disconnect();
    }
  }
  for (const rabbit of RABBITS) {
    const endpoint = endpoints[rabbit];
    if (endpoint) found.push(...(await listVhosts(managementApi(endpoint))).filter(match).map((v) => `${rabbit} vhost ${v}`));
  }
  if (endpoints.toxiproxy) {
    found.push(...(await toxiproxyApi(endpoints.toxiproxy).list()).filter((p) => match(p.name)).map((p) => `toxiproxy proxy ${p.name}`));
  }
  if (endpoints.postgres) {
    const client = await connectPostgres(endpoints.postgres.url);
    try {
      found.push(...(await listDatabases(client)).filter(match).map((d) => `postgres database ${d}`));
    } finally {
      await client.end().catch(() => {});
    }
  }
  if (endpoints.sqs) {
    const sqs = await connectSqs(endpoints.sqs);
    try {
      found.push(...(await queuesMatching(sqs, NAMESPACE_PREFIX)).map(queueNameOf).filter(match).map((q) => `sqs queue ${q}`));
    } finally {
      sqs.destroy();
    }
  }
  if (endpoints.sns) {
    const sns = await connectSns(endpoints.sns);
    try {
      const { topics, queues } = await snsNamesMatching(sns, NAMESPACE_PREFIX);
      found.push(...topics.filter(match).map((t) => `sns topic ${t}`), ...queues.filter(match).map((q) => `sns queue ${q}`));
    } finally {
      closeSns(sns);
    }
  }
  if (endpoints.pubsub) {
    const pubsub = await connectPubsub(endpoints.pubsub);
    try {
      const { topics, subscriptions } = await pubsubNamesMatching(pubsub, NAMESPACE_PREFIX);
      found.push(...topics.filter(match).map((t) => `pubsub topic ${t}`), ...subscriptions.filter(match).map((s) => `pubsub subscription ${s}`));
    } finally {
      await pubsub.close().catch(() => {});
    }
  }
  for (const kafka of KAFKAS) {
    const endpoint = endpoints[kafka];
    if (!endpoint) continue;
    const admin = await connectKafkaAdmin(endpoint.brokers, endpoint.sasl, 'brokerlab-leftovers');
    try {
      const { topics, groups } = await namesMatching(admin, match);
      found.push(...topics.map((t) => `${kafka} topic ${t}`), ...groups.map((g) => `${kafka} group ${g}`));
    } finally {
      await admin.disconnect();
    }
  }
  return found;
}
