/**
 * Wrong: "createTopics is idempotent": it is, in that it does not fail, but it skips a
 * topic that exists, so the orders topic of the earlier version keeps its 3 partitions and
 * default retention.
 */
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { SEED_PROFILES, TOPICS, type TopicSpec, config } from '../../../labs/kafka-topics-partitions/spec.js';

const kafka = new Kafka({ clientId: 'profiles-service', ...config.kafkaClient, logLevel: logLevel.ERROR });
const admin = kafka.admin();
await admin.connect();

const fullName = (t: TopicSpec) => config.topicPrefix + t.name;
const entries = (t: TopicSpec) => Object.entries(t.config).map(([name, value]) => ({ name, value }));

// createTopics is idempotent: kafkajs answers false for a topic that exists already.
await admin.createTopics({
  waitForLeaders: true,
  topics: TOPICS.map((t) => ({ topic: fullName(t), numPartitions: t.partitions, replicationFactor: config.replicationFactor, configEntries: entries(t) })),
});
await admin.disconnect();

const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
await producer.connect();
await producer.send({
  topic: config.topicPrefix + 'customer-profiles',
  acks: -1,
  messages: SEED_PROFILES.map((p) => ({ key: p.customerId, value: JSON.stringify(p) })),
});

process.on('SIGTERM', () => void producer.disconnect().finally(() => process.exit(0)));
