/**
 * A namespace in Kafka: the topics and consumer groups whose names match (those under
 * "<namespace>."). A group can only be deleted once empty, and a killed member lingers until
 * its session times out, so deleting waits for that, bounded by the longest session the lab's
 * Kafka grants.
 */
import type { Admin } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { KAFKA_MAX_SESSION_TIMEOUT_MS } from '../brokers/kafka.js';

export interface KafkaNames {
  topics: string[];
  groups: string[];
}

export async function namesMatching(admin: Admin, match: (name: string) => boolean): Promise<KafkaNames> {
  const [topics, groups] = await Promise.all([admin.listTopics(), admin.listGroups()]);
  return { topics: topics.filter(match), groups: groups.groups.map((g) => g.groupId).filter(match) };
}

/** Long enough for any member the lab's Kafka lets in to time out (and a little more). */
export const GROUP_WAIT_MS = KAFKA_MAX_SESSION_TIMEOUT_MS + 5_000;

/** Deletes every matching topic, then every matching group, waiting up to `groupWaitMs` for
 *  groups whose members have not timed out yet (`onWait` is told once, when the wait begins);
 *  returns what it deleted. */
export async function deleteMatching(admin: Admin, match: (name: string) => boolean, groupWaitMs = GROUP_WAIT_MS, onWait?: (groups: string[]) => void): Promise<KafkaNames> {
  const topics = (await admin.listTopics()).filter(match);
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  const deadline = Date.now() + groupWaitMs;
  let waiting = false;
  for (;;) {
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter(match);
    if (groups.length === 0) return { topics, groups: [] };
    try {
      await admin.deleteGroups(groups);
      return { topics, groups };
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`could not delete consumer groups ${groups.join(', ')}: ${String(error)}`);
      if (!waiting) onWait?.(groups);
      waiting = true;
      await sleep(1_000);
    }
  }
}

/** An admin client that fails fast and quietly (the caller says what went wrong). */
export async function connectKafkaAdmin(brokers: string[], sasl?: import('../brokers/types.js').KafkaSasl, clientId = 'brokerlab'): Promise<Admin> {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const admin = new Kafka({ clientId, brokers, ...(sasl ? { sasl } : {}), logLevel: logLevel.NOTHING, retry: { retries: 3 } }).admin();
  await admin.connect();
  return admin;
}
