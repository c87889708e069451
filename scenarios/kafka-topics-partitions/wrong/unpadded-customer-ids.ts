/**
 * WRONG (content): provisioning is right, but the seed is built here, with the customer ids
 * written customer-1 ... customer-40 instead of customer-001 ... customer-040 (the README's
 * and spec.ts's form): every key is another customer than the one asked for.
 * Must trip: keys-partitioned, cause "wrong-keys".
 */
import kafkajs, { Kafka, Partitioners, logLevel } from 'kafkajs';
import { TOPICS, type TopicSpec, config } from '../../../labs/kafka-topics-partitions/spec.js';

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
  const metadata = await admin.fetchTopicMetadata({ topics: present.map(fullName) });
  const fewer = present.filter((t) => (metadata.topics.find((m) => m.name === fullName(t))?.partitions.length ?? 0) < t.partitions);
  if (fewer.length > 0) await admin.createPartitions({ topicPartitions: fewer.map((t) => ({ topic: fullName(t), count: t.partitions })) });

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
  messages: Array.from({ length: 40 }, (_, i) => {
    const profile = { customerId: `customer-${i + 1}`, name: `Customer ${i + 1}`, tier: ['gold', 'silver', 'bronze'][i % 3] };
    return { key: profile.customerId, value: JSON.stringify(profile) };
  }),
});

process.on('SIGTERM', () => void producer.disconnect().finally(() => process.exit(0)));
