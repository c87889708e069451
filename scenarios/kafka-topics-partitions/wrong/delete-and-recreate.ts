/**
 * Wrong: "idempotent" by deleting every topic that exists and creating all of them again:
 * the topics come out as asked, but the records already in them (the earlier version's
 * orders, everything written between runs) are gone.
 */
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { SEED_PROFILES, TOPICS, type TopicSpec, config } from '../../../labs/kafka-topics-partitions/spec.js';

const kafka = new Kafka({ clientId: 'profiles-service', ...config.kafkaClient, logLevel: logLevel.ERROR });
const admin = kafka.admin();
await admin.connect();

const fullName = (t: TopicSpec) => config.topicPrefix + t.name;
const entries = (t: TopicSpec) => Object.entries(t.config).map(([name, value]) => ({ name, value }));

// Idempotent the simple way: drop whatever exists and create everything from the spec.
const existing = new Set(await admin.listTopics());
const present = TOPICS.filter((t) => existing.has(fullName(t)));
if (present.length > 0) await admin.deleteTopics({ topics: present.map(fullName) });
// A deleted topic takes a moment to go: wait until Kafka no longer lists them.
while ((await admin.listTopics()).some((name) => present.some((t) => fullName(t) === name))) await new Promise((r) => setTimeout(r, 100));
for (let attempt = 1; ; attempt++) {
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: TOPICS.map((t) => ({ topic: fullName(t), numPartitions: t.partitions, replicationFactor: config.replicationFactor, configEntries: entries(t) })),
    });
    break;
  } catch (error) {
    // "marked for deletion": still going; try again shortly.
    if (attempt >= 50) throw error;
    await new Promise((r) => setTimeout(r, 200));
  }
}
await admin.disconnect();

const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
await producer.connect();
await producer.send({
  topic: config.topicPrefix + 'customer-profiles',
  acks: -1,
  messages: SEED_PROFILES.map((p) => ({ key: p.customerId, value: JSON.stringify(p) })),
});

process.on('SIGTERM', () => void producer.disconnect().finally(() => process.exit(0)));
