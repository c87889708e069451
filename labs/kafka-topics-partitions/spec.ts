/**
 * Given code for this exercise: the topic spec, the seed profiles and where Kafka is.
 * You don't need to change this file (the README's table says the same).
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** One topic of the spec: its name without TOPIC_PREFIX, partitions, and configs (Kafka's
 *  names, values as strings, the way the admin API takes and shows them). */
export interface TopicSpec {
  name: string;
  partitions: number;
  config: Record<string, string>;
}

export const TOPICS: readonly TopicSpec[] = [
  // Orders: 6 partitions (keyed by order id), kept 14 days.
  { name: 'orders', partitions: 6, config: { 'retention.ms': '1209600000' } },
  // The latest profile of each customer, forever: a compacted topic.
  { name: 'customer-profiles', partitions: 3, config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '3600000', 'min.cleanable.dirty.ratio': '0.1' } },
  // Clicks: many partitions, short-lived: 1 hour, at most 100 MiB per partition, 10-minute segments.
  { name: 'clickstream', partitions: 12, config: { 'retention.ms': '3600000', 'retention.bytes': '104857600', 'segment.ms': '600000' } },
];

/** A customer profile as it goes to customer-profiles: JSON value, key = customerId. */
export interface Profile {
  customerId: string;
  name: string;
  tier: 'gold' | 'silver' | 'bronze';
}

const TIERS = ['gold', 'silver', 'bronze'] as const;

/** The seed: customer-001 ... customer-040. */
export const SEED_PROFILES: readonly Profile[] = Array.from({ length: 40 }, (_, i) => ({
  customerId: `customer-${String(i + 1).padStart(3, '0')}`,
  name: `Customer ${i + 1}`,
  tier: TIERS[i % 3] ?? 'bronze',
}));

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Set by the lab only when Kafka asks for a login (a workshop's shared cluster). */
const sasl = process.env.KAFKA_SASL_MECHANISM
  ? ({
      mechanism: process.env.KAFKA_SASL_MECHANISM,
      username: process.env.KAFKA_SASL_USERNAME ?? '',
      password: process.env.KAFKA_SASL_PASSWORD ?? '',
    } as SASLOptions)
  : undefined;

/** Where things are: the lab sets these for every run. */
export const config = {
  /** How to reach Kafka, login included when there is one: `new Kafka({ clientId, ...config.kafkaClient })`. */
  kafkaClient: { brokers, ...(sasl ? { sasl } : {}) } satisfies Pick<KafkaConfig, 'brokers' | 'sasl'>,
  /** Put this in front of every topic name: "<run's namespace>." */
  topicPrefix: process.env.TOPIC_PREFIX ?? '',
  /** 1 on the lab's single Kafka node. */
  replicationFactor: Number(process.env.REPLICATION_FACTOR ?? '1'),
};
