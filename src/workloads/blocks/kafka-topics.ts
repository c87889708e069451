/**
 * Reading Kafka topics through the admin API, for workloads whose program creates or changes
 * topics: a topic's state (metadata, the asked configs, end offsets) as the "kafka-topic-state"
 * observation the topic checks read (checks/topics.ts), a shared cluster's replication factor,
 * and retries over the passing errors of a topic that was just created.
 */
import type { KafkaTopicState } from '../../runner/observations.js';
import { sleep } from '../types.js';
import type { KafkaRun } from './kafka.js';

/** DescribeConfigs' config source of a value set on the topic (TOPIC_CONFIG). */
export const TOPIC_CONFIG_SOURCE = 1;

/** A topic's metadata, the asked configs and its end offsets, as the admin API shows them. */
export async function topicState(kafka: KafkaRun, topicType: number, base: string, moment: KafkaTopicState['moment'], configNames: string[]): Promise<KafkaTopicState> {
  const fullName = kafka.name(base);
  if (!(await kafka.admin.listTopics()).includes(fullName)) return { topic: base, fullName, moment, exists: false, partitions: 0, replicationFactor: 0, configs: {}, endOffsets: {} };
  const metadata = await kafka.admin.fetchTopicMetadata({ topics: [fullName] });
  const partitions = metadata.topics[0]?.partitions ?? [];
  const configs: KafkaTopicState['configs'] = {};
  if (configNames.length > 0) {
    const described = await kafka.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: topicType, name: fullName, configNames }] });
    for (const entry of described.resources[0]?.configEntries ?? []) {
      // Anything not set on the topic itself is a default (the broker's, static or dynamic).
      const source = (entry as { configSource?: number }).configSource;
      configs[entry.configName] = { value: entry.configValue, isDefault: source === undefined ? entry.isDefault : source !== TOPIC_CONFIG_SOURCE };
    }
  }
  const endOffsets: Record<string, number> = {};
  for (const p of await kafka.admin.fetchTopicOffsets(fullName)) endOffsets[String(p.partition)] = Number(p.high);
  return { topic: base, fullName, moment, exists: true, partitions: partitions.length, replicationFactor: partitions[0]?.replicas.length ?? 0, configs, endOffsets };
}

/**
 * Runs one of the lab's admin reads or writes again while Kafka answers with a passing error:
 * a topic the program has just created may not have its leaders everywhere yet ("not the
 * leader for that topic-partition"). Up to 10 s, then the error stands.
 */
export async function retrying<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      const passing = (error as { retriable?: boolean }).retriable === true || /not the leader|leader not available|does not host this topic-partition|UNKNOWN_TOPIC/i.test(String(error));
      if (!passing || Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

/** A shared cluster's default.replication.factor (1 when it cannot be read). */
export async function clusterReplicationFactor(kafka: KafkaRun, brokerType: number): Promise<number> {
  try {
    const { brokers } = await kafka.admin.describeCluster();
    const described = await kafka.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: brokerType, name: String(brokers[0]?.nodeId ?? 0), configNames: ['default.replication.factor'] }] });
    const value = Number(described.resources[0]?.configEntries.find((e) => e.configName === 'default.replication.factor')?.configValue);
    return Number.isInteger(value) && value > 0 ? value : 1;
  } catch {
    return 1;
  }
}

