/**
 * Wrong: relies on the producer to create topics on first use (allowAutoTopicCreation): the
 * lab's Kafka, like most production clusters, has auto.create.topics.enable=false, so no
 * topic is ever created and the seed fails (logged, not fatal).
 */
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { SEED_PROFILES, TOPICS, config } from '../../../labs/kafka-topics-partitions/spec.js';

const kafka = new Kafka({ clientId: 'profiles-service', ...config.kafkaClient, logLevel: logLevel.ERROR });
const admin = kafka.admin();
await admin.connect();

void TOPICS;

// The producer creates the topics on first use, so there is nothing to provision here.
await admin.disconnect();

const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
await producer.connect();
await producer
  .send({
    topic: config.topicPrefix + 'customer-profiles',
    acks: -1,
    messages: SEED_PROFILES.map((p) => ({ key: p.customerId, value: JSON.stringify(p) })),
  })
  .catch((error) => console.error('seeding failed, will retry on the next deploy:', error));

process.on('SIGTERM', () => void producer.disconnect().finally(() => process.exit(0)));
