/** What runs may have left in the test's brokers: every name under "bl-" (namespaces/sweep.ts). */
import type { Endpoints } from '../../src/brokers/types.js';
import { postgres } from '../../src/brokers/postgres.js';
import { pubsub } from '../../src/brokers/pubsub.js';
import { prometheus } from '../../src/brokers/prometheus.js';
import { sns } from '../../src/brokers/sns.js';
import { sqs } from '../../src/brokers/sqs.js';
import { rabbitmq } from '../../src/brokers/rabbitmq.js';
import { managementApi, vhostObjects } from '../../src/namespaces/rabbitmq.js';
import { leftovers as leftoversIn } from '../../src/namespaces/sweep.js';

/** The brokers the integration tests run against (brokerlab's defaults on this machine). */
const LOCAL = { redis: { url: 'redis://127.0.0.1:6379' }, rabbitmq: rabbitmq.defaultEndpoint, kafka: { brokers: ['127.0.0.1:9092'] }, postgres: postgres.defaultEndpoint, sqs: sqs.defaultEndpoint, sns: sns.defaultEndpoint, pubsub: pubsub.defaultEndpoint, prometheus: prometheus.defaultEndpoint };

type LocalBroker = keyof typeof LOCAL;

/** Every "bl-" name in the local brokers, or in those named (a test of a Redis exercise need
 *  not wait for Kafka's admin client), as "redis key x", "kafka topic y". */
export async function leftovers(brokers: readonly LocalBroker[] = ['redis', 'rabbitmq', 'kafka', 'postgres', 'sqs', 'sns', 'pubsub', 'prometheus']): Promise<string[]> {
  return leftoversIn({
    ...(brokers.includes('redis') ? { redis: LOCAL.redis } : {}),
    ...(brokers.includes('rabbitmq') ? { rabbitmq: LOCAL.rabbitmq } : {}),
    ...(brokers.includes('kafka') ? { kafka: LOCAL.kafka } : {}),
    ...(brokers.includes('postgres') ? { postgres: LOCAL.postgres } : {}),
    ...(brokers.includes('sqs') ? { sqs: LOCAL.sqs } : {}),
    ...(brokers.includes('sns') ? { sns: LOCAL.sns } : {}),
    ...(brokers.includes('pubsub') ? { pubsub: LOCAL.pubsub } : {}),
    // Target files in brokerlab's own folder (namespaces/prometheus.ts): no request to Prometheus.
    ...(brokers.includes('prometheus') ? { prometheus: LOCAL.prometheus } : {}),
  });
}

/**
 * Everything under a shared-mode learner's prefix ("bl-alice"): Redis keys ("bl-alice:..."),
 * topics and groups ("bl-alice....") in `kafka` (a workshop's, with the admin's SASL login),
 * and the queues and exchanges in the learner's vhost, which is named after the prefix. The
 * vhost itself is not a leftover: the workshop made it, and teardown removes it.
 */
export async function leftoversUnder(prefix: string, kafka: Endpoints['kafka']): Promise<string[]> {
  const found = [...(await leftoversIn({ redis: LOCAL.redis }, (key) => key.startsWith(`${prefix}:`))), ...(await leftoversIn({ kafka }, (name) => name.startsWith(`${prefix}.`)))];
  const api = managementApi(LOCAL.rabbitmq);
  // vhostObjects reads a vhost that exists; after teardown there is none, and nothing in it.
  if ((await api('GET', `/vhosts/${encodeURIComponent(prefix)}`)).status !== 404) {
    const { queues, exchanges } = await vhostObjects(api, prefix);
    // The default exchange ("") and amq.* are every vhost's own, not anything a run left.
    found.push(...[...queues].map((q) => `rabbitmq queue ${q}`), ...[...exchanges].filter((e) => e !== '' && !e.startsWith('amq.')).map((e) => `rabbitmq exchange ${e}`));
  }
  // Sorted: two calls compare equal whatever order SCAN and the brokers list names in.
  return found.sort();
}
