/**
 * Reference solution: the topic with three copies of every write, two of which must have it
 * before it counts (replication factor 3, min.insync.replicas 2), and an idempotent producer
 * with acks=all that retries for longer than a leader election takes. The 200 goes out only
 * once the send resolved: the event is then on at least two brokers, so the death of any one
 * of them loses nothing. A send Kafka refuses (too large) throws, and serve answers 500.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type PaymentEvent, config, serve } from '../../../labs/kafka-replication/service.js';

// A leader election after a crash takes seconds (here up to about 12 s): retry for at least
// half a minute in all (15 retries, the waits capped at 3 s).
const kafka = new Kafka({ clientId: 'payments', ...config.kafkaClient, logLevel: logLevel.NOTHING, retry: { retries: 15, maxRetryTime: 3_000 } });

const admin = kafka.admin();
await admin.connect();
// Resolves false when it exists already (a restart): keep it as it is.
await admin.createTopics({
  topics: [{ topic: config.eventsTopic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
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
