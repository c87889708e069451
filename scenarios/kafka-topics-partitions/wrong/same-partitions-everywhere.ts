/**
 * Wrong: one partition count (6) for every topic instead of each topic's own: clickstream
 * gets 6 where 12 were asked, customer-profiles 6 where 3 were asked.
 */
import kafkajs, { Kafka, Partitioners, logLevel } from 'kafkajs';
import { SEED_PROFILES, TOPICS, type TopicSpec, config } from '../../../labs/kafka-topics-partitions/spec.js';

// kafkajs is CommonJS: its enums come through the default export only.
const { ConfigResourceTypes } = kafkajs;

const kafka = new Kafka({ clientId: 'profiles-service', ...config.kafkaClient, logLevel: logLevel.ERROR });
const admin = kafka.admin();
await admin.connect();

// One partition count for every topic: 6 is plenty.
const PARTITIONS = 6;
const fullName = (t: TopicSpec) => config.topicPrefix + t.name;
const entries = (t: TopicSpec) => Object.entries(t.config).map(([name, value]) => ({ name, value }));

const existing = new Set(await admin.listTopics());
const missing = TOPICS.filter((t) => !existing.has(fullName(t)));
const present = TOPICS.filter((t) => existing.has(fullName(t)));

if (missing.length > 0) {
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({ topic: fullName(t), numPartitions: PARTITIONS, replicationFactor: config.replicationFactor, configEntries: entries(t) })),
  });
}

if (present.length > 0) {
  // Partitions can only grow (and a key's partition changes when they do).
  const metadata = await admin.fetchTopicMetadata({ topics: present.map(fullName) });
  const fewer = present.filter((t) => (metadata.topics.find((m) => m.name === fullName(t))?.partitions.length ?? 0) < PARTITIONS);
  if (fewer.length > 0) await admin.createPartitions({ topicPartitions: fewer.map((t) => ({ topic: fullName(t), count: PARTITIONS })) });

  // kafkajs's alterConfigs replaces all of a topic's own configs: send the whole set.
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: present.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: fullName(t), configNames: Object.keys(t.config) })) });
  const differ = present.filter((t) => {
    const actual = described.resources.find((r) => r.resourceName === fullName(t))?.configEntries ?? [];
    return Object.entries(t.config).some(([name, value]) => actual.find((e) => e.configName === name)?.configValue !== value);
  });
  if (differ.length > 0) await admin.alterConfigs({ validateOnly: false, resources: differ.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: fullName(t), configEntries: entries(t) })) });
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
