/**
 * Weeks 4-5: provision Kafka topics through the admin API, idempotently, then seed them.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check kafka-topics-partitions
 */
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { SEED_PROFILES, TOPICS, config } from './spec.js';

const kafka = new Kafka({ clientId: 'profiles-service', ...config.kafkaClient, logLevel: logLevel.ERROR });
const admin = kafka.admin();
await admin.connect();

// TODO: bring every topic of TOPICS (name with config.topicPrefix in front) to the spec:
//   - create the ones that do not exist, with their partitions, config.replicationFactor and
//     configs (admin.createTopics, configEntries);
//   - a topic that exists already: add partitions when it has fewer (admin.createPartitions)
//     and alter the configs that differ (admin.describeConfigs, admin.alterConfigs).
//   Never delete a topic: it holds data. Running this twice must work.
console.log('topics to provision:', TOPICS.map((t) => config.topicPrefix + t.name).join(', '));
await admin.disconnect();

// Seed customer-profiles: one record per customer, keyed by customerId.
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
await producer.connect();
// TODO: send SEED_PROFILES to config.topicPrefix + 'customer-profiles' (key: customerId, value: JSON).
void SEED_PROFILES;

// Keep running as a service does, until the lab stops it.
process.on('SIGTERM', () => void producer.disconnect().finally(() => process.exit(0)));
