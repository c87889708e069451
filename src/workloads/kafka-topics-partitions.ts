/**
 * Weeks 4-5, Kafka topics and partitions.
 *
 * The learner's program provisions the topics of a spec (partitions, replication, configs)
 * through the admin API, each name with TOPIC_PREFIX in front, then seeds the compacted
 * topic with one profile per customer, keyed by customer id, and keeps running.
 *
 * The schedule, from the mistakes backwards:
 * - before the program starts, the lab creates the legacy topic "from an earlier version":
 *   fewer partitions, no configs of its own, records in it. A program that only calls
 *   createTopics skips it (kafkajs returns false; confluent-kafka raises TopicExists), and a
 *   program that deletes it to create it again loses the records.
 * - once the program is ready (every topic exists and the seed is in), the lab writes a
 *   record to every partition of every topic, changes a config by hand (the drift, as an
 *   operator might during an incident), notes each partition's end offset, and enters
 *   the phase "second-run": the scenario's kill-learner fault kills the program and starts it
 *   again, as a redeploy would. The second run must converge without failing (a topic that
 *   exists, partitions already added) and without deleting anything, and set the drifted
 *   config back (with kafkajs's alterConfigs, which replaces all of a topic's own configs,
 *   sending only the differing one resets the others to the broker's defaults).
 * - after the program stopped, the lab reads each topic's metadata, configs and end offsets,
 *   and the seed topic's records with their partitions.
 */
import type { TopicSpec } from '../checks/topics.js';
import { recordLearnerEvent } from '../runner/learner-events.js';
import { type KafkaTopicState, recordObservation } from '../runner/observations.js';
import { type KafkaRun, openKafka } from './blocks/kafka.js';
import { TOPIC_CONFIG_SOURCE, clusterReplicationFactor, retrying, topicState } from './blocks/kafka-topics.js';
import { LearnerNotReadyError, type Workload, type WorkloadContext, intOptions, sleep, waitUntil } from './types.js';
import { defaults } from './options/kafka-topics-partitions.js';

export interface TopicsPartitionsOptions {
  topics: TopicSpec[];
  /** The topic that exists before the program first runs, and its partition count then. */
  legacy: { topic: string; partitions: number };
  /** Records the lab writes to the legacy topic before the program starts. */
  legacyRecords: number;
  /** Configs the lab changes by hand between the two runs, as an operator might during an
   *  incident: the second run must set them back to the spec. */
  drift?: { topic: string; config: Record<string, string> };
  /** The compacted topic the program seeds, one record per customer. */
  seedTopic: string;
  customers: number;
  /** After the second run's seed arrived, how long the lab waits before stopping the program. */
  settleMs: number;
}

/** The keys of the lab's own records start with this (left out of the partitioner check). */
const LAB_KEY = 'lab-';

/** The seed's keys, as the README and spec.ts write them: customer-001 ... customer-040. */
export function seedKeys(customers: number): string[] {
  return Array.from({ length: customers }, (_, i) => `customer-${String(i + 1).padStart(3, '0')}`);
}

export const kafkaTopicsPartitions: Workload<TopicsPartitionsOptions> = {
  name: 'kafka-topics-partitions',
  parseOptions(raw) {
    if (!Array.isArray(raw.topics) || raw.topics.length === 0) throw new Error('"topics" must be a non-empty list');
    const legacy = raw.legacy as TopicsPartitionsOptions['legacy'] | undefined;
    if (typeof legacy?.topic !== 'string' || !Number.isInteger(legacy.partitions)) throw new Error('"legacy" must be {"topic", "partitions"}');
    if (typeof raw.seedTopic !== 'string') throw new Error('"seedTopic" must be a string');
    const drift = raw.drift as TopicsPartitionsOptions['drift'];
    if (drift !== undefined && (typeof drift?.topic !== 'string' || typeof drift.config !== 'object')) throw new Error('"drift" must be {"topic", "config": {name: "value"}}');
    return { ...intOptions(raw, defaults), topics: raw.topics as TopicSpec[], legacy, seedTopic: raw.seedTopic, ...(drift ? { drift } : {}) };
  },

  async prepare(ctx: WorkloadContext, o) {
    const kafka = await openKafka(ctx);
    const { ConfigResourceTypes } = (await import('kafkajs')).default;
    const specOf = (base: string) => o.topics.find((t) => t.name === base);
    // The lab's Kafka has one broker; a shared cluster (a workshop's) keeps its own default.
    const replicationFactor = ctx.shared ? await clusterReplicationFactor(kafka, ConfigResourceTypes.BROKER) : 1;
    const state = async (base: string, moment: KafkaTopicState['moment']): Promise<KafkaTopicState> => {
      const seen = await retrying(() => topicState(kafka, ConfigResourceTypes.TOPIC, base, moment, Object.keys(specOf(base)?.config ?? {})));
      return replicationFactor === specOf(base)?.replicationFactor ? seen : { ...seen, askedReplicationFactor: replicationFactor };
    };
    const endOffsets = async (base: string): Promise<number[] | undefined> => {
      const name = kafka.name(base);
      if (!(await kafka.admin.listTopics()).includes(name)) return undefined;
      return (await retrying(() => kafka.admin.fetchTopicOffsets(name))).map((p) => Number(p.high));
    };
    const total = (ends: number[] | undefined) => (ends ?? []).reduce((a, b) => a + b, 0);

    // The legacy topic, from "an earlier version" of the service: fewer partitions, the
    // broker's default configs, and orders in it that must survive.
    const legacyTopic = await kafka.createTopic(o.legacy.topic, o.legacy.partitions);
    const legacy = Array.from({ length: o.legacyRecords }, (_, i) => {
      const orderId = `${LAB_KEY}order-${String(i + 1).padStart(3, '0')}`;
      return { id: orderId, key: orderId, value: { orderId, note: 'written by an earlier version' } };
    });
    await kafka.produceBurst(legacyTopic, 'legacy-orders', legacy);
    recordObservation(ctx.history, 'kafka-topic-state', await state(o.legacy.topic, 'before-start'));

    const allThere = async () => {
      const topics = new Set(await kafka.admin.listTopics());
      return o.topics.every((t) => topics.has(kafka.name(t.name)));
    };

    return {
      env: { ...kafka.env(), TOPIC_PREFIX: `${kafka.namespace}.`, REPLICATION_FACTOR: String(replicationFactor) },
      async awaitReady() {
        const ready = async () => (await allThere()) && total(await endOffsets(o.seedTopic)) >= o.customers;
        if (await waitUntil(ready, ctx.timeouts.readyMs, ctx.signal, 200)) return;
        const topics = new Set(await kafka.admin.listTopics());
        const missing = o.topics.filter((t) => !topics.has(kafka.name(t.name))).map((t) => kafka.name(t.name));
        if (missing.length > 0) {
          throw new LearnerNotReadyError(
            `within ${ctx.timeouts.readyMs / 1000}s these topics were not created: ${missing.join(', ')}. The lab's Kafka, like most production clusters, has auto.create.topics.enable=false: producing to a topic that does not exist fails (kafkajs retries, then "This server does not host this topic-partition"; librdkafka "Unknown topic or partition")`,
            'Create every topic of the spec with the admin API (kafkajs admin.createTopics; confluent-kafka AdminClient.create_topics) before you produce, each name with TOPIC_PREFIX in front, and wait for it to finish (kafkajs: await it; confluent-kafka: wait on each future).',
          );
        }
        throw new LearnerNotReadyError(
          `every topic exists, but ${o.seedTopic} got ${total(await endOffsets(o.seedTopic))} records within ${ctx.timeouts.readyMs / 1000}s; the README asks for one profile per customer (${o.customers})`,
          `After provisioning, produce the ${o.customers} seed profiles to TOPIC_PREFIX + "${o.seedTopic}", keyed by customerId, and wait for the sends to finish (confluent-kafka: producer.flush()).`,
        );
      },
      async run() {
        // Data that must survive the second run: a record in every partition of every topic.
        const topics = new Set(await kafka.admin.listTopics());
        for (const t of o.topics) {
          const name = kafka.name(t.name);
          if (!topics.has(name)) continue;
          const partitions = (await retrying(() => kafka.admin.fetchTopicOffsets(name))).map((p) => p.partition);
          await retrying(() => kafka.producer.send({ topic: name, acks: -1, messages: partitions.map((partition) => ({ key: `${LAB_KEY}marker-${partition}`, value: JSON.stringify({ note: 'written by the lab between your runs' }), partition })) }));
        }
        // An operator's change by hand: the topic's own configs kept (alterConfigs replaces them all), the drift on top.
        const drift = o.drift;
        if (drift && topics.has(kafka.name(drift.topic))) await retrying(() => changeByHand(kafka, ConfigResourceTypes.TOPIC, kafka.name(drift.topic), drift.config));
        for (const t of o.topics) recordObservation(ctx.history, 'kafka-topic-state', await state(t.name, 'before-restart'));
        const seedBefore = (await endOffsets(o.seedTopic)) ?? [];

        ctx.progress('running your program a second time, as a redeploy does: the topics exist now');
        await ctx.phase('second-run');
        await ctx.faultsSettled();
        // The second run is done when its seed is in: more records than before, or, in a topic
        // created again (offsets started over), a whole seed.
        const copy = ctx.learners.get(1);
        const seeded = async () => {
          const now = await endOffsets(o.seedTopic);
          if (!now) return false;
          const recreated = now.some((end, p) => end < (seedBefore[p] ?? 0));
          return total(now) >= (recreated ? o.customers : total(seedBefore) + o.customers);
        };
        const done = await waitUntil(async () => !copy.running || (await seeded()), ctx.timeouts.readyMs, ctx.signal, 200);
        if (!done && copy.running) {
          recordLearnerEvent(ctx.history, copy.name, {
            event: 'not-ready',
            reason: `run a second time (the topics existed), your program did not seed ${o.seedTopic} again within ${ctx.timeouts.readyMs / 1000}s`,
            hint: 'Every start, the second one too, must publish the whole seed again once provisioning is done: do not skip the seed because the topics (or the profiles) exist already. And run twice, the program must get past provisioning: skip a topic that exists, add partitions only when it has fewer, alter only configs that differ.',
          });
        }
        await sleep(o.settleMs, ctx.signal);
      },
      async collect() {
        for (const t of o.topics) recordObservation(ctx.history, 'kafka-topic-state', await state(t.name, 'final'));
        const seed = kafka.name(o.seedTopic);
        if ((await kafka.admin.listTopics()).includes(seed)) {
          const records = await readAll(kafka, seed);
          const partitions = (await retrying(() => kafka.admin.fetchTopicOffsets(seed))).length;
          recordObservation(ctx.history, 'kafka-keyed-records', { topic: o.seedTopic, partitions, records: records.filter((r) => !r.key?.startsWith(LAB_KEY)), expectedKeys: seedKeys(o.customers) });
        }
      },
    };
  },
};

/** Sets `config` on a topic and keeps the configs it already sets itself. */
async function changeByHand(kafka: KafkaRun, topicType: number, name: string, config: Record<string, string>): Promise<void> {
  const described = await kafka.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: topicType, name }] });
  const own = new Map<string, string>();
  for (const entry of described.resources[0]?.configEntries ?? []) {
    if ((entry as { configSource?: number }).configSource === TOPIC_CONFIG_SOURCE && entry.configValue !== null) own.set(entry.configName, entry.configValue);
  }
  for (const [key, value] of Object.entries(config)) own.set(key, value);
  await kafka.admin.alterConfigs({ validateOnly: false, resources: [{ type: topicType, name, configEntries: [...own].map(([key, value]) => ({ name: key, value })) }] });
}

/** Every record of `topic` with its key and partition (blocks/kafka.ts reads them). */
async function readAll(kafka: KafkaRun, topic: string): Promise<Array<{ key: string | null; partition: number; offset: string }>> {
  return (await kafka.readAll(topic)).map(({ key, partition, offset }) => ({ key, partition, offset }));
}
