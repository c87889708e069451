/**
 * Wrong: sends kafkajs's alterConfigs only the configs that differ. alterConfigs is not
 * incremental: it replaces all of a topic's own configs with the ones sent, so setting back
 * clickstream's drifted retention.ms on the second run resets its retention.bytes and
 * segment.ms to the broker's defaults.
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
  const metadata = await admin.fetchTopicMetadata({ topics: present.map(fullName) });
  const fewer = present.filter((t) => (metadata.topics.find((m) => m.name === fullName(t))?.partitions.length ?? 0) < t.partitions);
  if (fewer.length > 0) await admin.createPartitions({ topicPartitions: fewer.map((t) => ({ topic: fullName(t), count: t.partitions })) });

  // Set just the configs that differ.
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: present.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: fullName(t), configNames: Object.keys(t.config) })) });
  const resources = present.flatMap((t) => {
    const actual = described.resources.find((r) => r.resourceName === fullName(t))?.configEntries ?? [];
    const differ = entries(t).filter(({ name, value }) => actual.find((e) => e.configName === name)?.configValue !== value);
    return differ.length > 0 ? [{ type: ConfigResourceTypes.TOPIC, name: fullName(t), configEntries: differ }] : [];
  });
  if (resources.length > 0) await admin.alterConfigs({ validateOnly: false, resources });
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
