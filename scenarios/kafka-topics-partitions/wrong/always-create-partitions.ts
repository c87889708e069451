/**
 * Wrong: converges an existing topic by calling createPartitions for it every time; on the
 * second run the topics already have their partitions, and Kafka refuses ("Topic already
 * has 6 partitions"): the program crashes on redeploy.
 */
import kafkajs, { Kafka, Partitioners, logLevel } from 'kafkajs';
import { SEED_PROFILES, TOPICS, type TopicSpec, config } from '../../../labs/kafka-topics-partitions/spec.js';

// kafkajs is CommonJS: its enums come through the default export only.
const { ConfigResourceTypes } = kafkajs;

const kafka = new Kafka({ clientId: 'profiles-service', ...config.kafkaClient, logLevel: logLevel.ERROR });
const admin = kafka.admin();
await admin.connect();

const fullName = (t: TopicSpec) => config.topicPrefix + t.name;
const entries = (t: TopicSpec) => Object.entries(t.config).map(([name, value]) => ({ name, value }));

const existing = new Set(await admin.listTopics());
const missing = TOPICS.filter((t) => !existing.has(fullName(t)));
const present = TOPICS.filter((t) => existing.has(fullName(t)));

if (missing.length > 0) {
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({ topic: fullName(t), numPartitions: t.partitions, replicationFactor: config.replicationFactor, configEntries: entries(t) })),
  });
}

if (present.length > 0) {
  // Partitions can only grow (and a key's partition changes when they do).
  // Bring every existing topic to its partition count.
  await admin.createPartitions({ topicPartitions: present.map((t) => ({ topic: fullName(t), count: t.partitions })) });

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
