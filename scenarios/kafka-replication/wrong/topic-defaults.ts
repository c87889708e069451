/**
 * Wrong: creates the topic with its partition count only, trusting the cluster's defaults for
 * the rest. Kafka's defaults are replication factor 1 and min.insync.replicas 1: the one
 * broker holding the partition takes every acknowledged payment with it when it dies.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type PaymentEvent, config, serve } from '../../../labs/kafka-replication/service.js';

// A leader election after a crash takes seconds: retry for up to ~30 s in all.
const kafka = new Kafka({ clientId: 'payments', ...config.kafkaClient, logLevel: logLevel.NOTHING, retry: { retries: 10, maxRetryTime: 3_000 } });

const admin = kafka.admin();
await admin.connect();
// Resolves false when it exists already (a restart): keep it as it is.
await admin.createTopics({
  topics: [{ topic: config.eventsTopic, numPartitions: 1 }],
  waitForLeaders: false,
});
// Wait until a node leads its partition (a node may not know a new topic for a moment).
for (;;) {
  const metadata = await admin.fetchTopicMetadata({ topics: [config.eventsTopic] }).catch(() => undefined);
  if ((metadata?.topics[0]?.partitions[0]?.leader ?? -1) >= 0) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await admin.disconnect();

const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();

const stop = serve(async (event: PaymentEvent) => {
  await producer.send({ topic: config.eventsTopic, acks: -1, messages: [{ key: event.accountId, value: JSON.stringify(event) }] });
});

process.on('SIGTERM', () => void stop().then(() => producer.disconnect()).finally(() => process.exit(0)));
