/**
 * Kafka for one run: names under the run's namespace ("<namespace>.<base>", inside the
 * learner's prefix on a shared cluster), an admin and a producer of the lab's own, topics
 * created explicitly, bursts produced in one request with each record's partition and offset
 * recorded, and the group's committed offsets. Every topic and group under the namespace is
 * deleted afterwards, whatever the learner's program created.
 */
import type { Admin, Kafka, Producer } from 'kafkajs';
import { deleteMatching, GROUP_WAIT_MS } from '../../namespaces/kafka.js';
import { scopedNamespace } from '../../namespaces/names.js';
import type { CommittedOffsets, KafkaGroupSample } from '../../runner/observations.js';
import type { KafkaSasl } from '../../brokers/types.js';
import type { WorkloadContext } from '../types.js';
import { type InletMessage, type RememberingInlet, inlet } from './inlet.js';

/** One record of a burst: what to send, and what the history says about it. */
export interface BurstRecord {
  /** The history's key (a payment id). */
  id: string;
  /** Kafka's message key (what partitions it). */
  key: string;
  value: Record<string, unknown>;
  /** The lab's tags for it ("flaky"), recorded in the history, not sent. */
  tags?: string[];
  /** More fields recorded in the history beside the value, not sent (when it was sent). */
  recorded?: Record<string, unknown>;
}

/** A record as the lab read it back from a topic. */
export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  /** The record's timestamp in ms since the epoch: when Kafka appended it, on a topic with
   *  message.timestamp.type=LogAppendTime; else what the producer set. */
  timestamp: number;
}

export interface KafkaRun {
  brokers: string[];
  sasl: KafkaSasl | undefined;
  /** The run's prefix ("bl-2026...", or "bl-alice.bl-2026..." on a shared cluster). */
  namespace: string;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  /** A topic or group name of this run. */
  name(base: string): string;
  /** The run's name with the namespace taken off, for messages ("payments"). */
  baseOf(name: string): string;
  /** What the learner's program needs to connect: KAFKA_BROKERS, and the login if any. */
  env(): Record<string, string>;
  /** Creates a topic of this run (with topic `configs`, e.g. message.timestamp.type) and
   *  waits for its leaders; returns its full name. */
  createTopic(base: string, partitions: number, configs?: Readonly<Record<string, string>>): Promise<string>;
  /** Every record of `topic`, read by a consumer of the lab's own (a group under the run's
   *  namespace, deleted with it) from the beginning to each partition's end as it is now. */
  readAll(topic: string): Promise<TopicRecord[]>;
  /**
   * Sends the records in one produce request, partitioned by key as Java clients and
   * kafkajs's default do, so each partition's share lands in one record batch that a
   * consumer fetches together. Records each as `produce` with its partition, offset and
   * position in its partition's share ({ inBatch: { position, of } }).
   */
  produceBurst(topic: string, stream: string, records: readonly BurstRecord[]): Promise<void>;
  /** Offers `topic` as an inlet for `duplicate` and `poison` faults: what produceBurst sends
   *  to it is remembered; a copy goes to the same partition (same key), with a new offset. */
  registerInlet(name: string, topic: string, stream: string): void;
  committedOffsets(groupId: string, topic: string): Promise<CommittedOffsets>;
  /** How many records of `topic` carry a timestamp from `fromMs` to `toMs` (both included),
   *  by the broker's offsets-by-timestamp index (no consumer). */
  recordsTimestampedIn(topic: string, fromMs: number, toMs: number): Promise<number>;
  /** Whether the group already holds a commit past the message the history records under
   *  `key` (its partition's committed offset is beyond the message's): the evidence a
   *  kill-learner hold waits for ("committed-past"). */
  committedPast(groupId: string, topic: string, key: string): Promise<boolean>;
  /** The group's members and their partitions of `topic`, and other groups of this run. */
  sampleGroup(groupId: string, topic: string, instances: number): Promise<KafkaGroupSample>;
}

/**
 * `broker`: the single node (default) or the 3-node cluster (`kafka-cluster`, which the
 * scenario then lists in its brokers); on the cluster, topics get its default replication
 * factor (3) and the learner's program gets the bootstrap list of all three nodes.
 */
export async function openKafka(ctx: WorkloadContext, options: { broker?: 'kafka' | 'kafka-cluster' } = {}): Promise<KafkaRun> {
  const broker = options.broker ?? 'kafka';
  const brokers = ctx.endpoints[broker]?.brokers;
  if (!brokers) throw new Error(`${broker} endpoint missing`);
  const sasl = ctx.endpoints[broker]?.sasl;
  const namespace = scopedNamespace(ctx.namespace, ctx.shared, '.');
  // Loaded here, not at the top: only a graded run needs the client.
  const { AssignerProtocol, Kafka, Partitioners, logLevel } = (await import('kafkajs')).default;
  const kafka = new Kafka({ clientId: `brokerlab-${ctx.runId}`, brokers, ...(sasl ? { sasl } : {}), logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  await admin.connect();
  ctx.defer(() => admin.disconnect());
  ctx.defer(() =>
    deleteMatching(admin, (name) => name.startsWith(`${namespace}.`), undefined, (groups) =>
      ctx.progress(`waiting for a killed copy's session to time out in ${groups.join(', ')}: Kafka deletes a consumer group only once it is empty (up to ${GROUP_WAIT_MS / 1000} s)`),
    ),
  );
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  ctx.defer(() => producer.disconnect());
  const partitionOf = Partitioners.DefaultPartitioner();
  const partitionCounts = new Map<string, number>();
  const inlets = new Map<string, RememberingInlet>();

  return {
    brokers,
    sasl,
    namespace,
    kafka,
    admin,
    producer,
    name: (base) => `${namespace}.${base}`,
    baseOf: (name) => (name.startsWith(`${namespace}.`) ? name.slice(namespace.length + 1) : name),
    env: () => ({
      KAFKA_BROKERS: brokers.join(','),
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      // A secured (e.g. workshop) cluster: the lab's config helpers turn these into kafkajs's `sasl`.
      ...(sasl ? { KAFKA_SASL_MECHANISM: sasl.mechanism, KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD: sasl.password } : {}),
    }),
    async createTopic(base, partitions, configs = {}) {
      const topic = `${namespace}.${base}`;
      const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
      // A shared cluster keeps its own replication factor (it may refuse 1); the lab's Kafka has
      // one node; on the lab's cluster the lab's own topics are on all three (its default is 1).
      const replication = ctx.shared ? {} : { replicationFactor: broker === 'kafka-cluster' ? 3 : 1 };
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: partitions, ...replication, ...(configEntries.length > 0 ? { configEntries } : {}) }], waitForLeaders: true });
      } catch (error) {
        // On a busy machine kafkajs's wait for the leaders can ask a broker that does not know
        // the new topic yet ("does not host this topic-partition"): the topic exists, so wait
        // for its leaders here instead.
        if (!/does not host this topic-partition|UNKNOWN_TOPIC/i.test(String(error))) throw error;
      }
      const deadline = Date.now() + 15_000;
      for (;;) {
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
        const leaders = metadata?.topics[0]?.partitions.filter((p) => p.leader >= 0).length ?? 0;
        if (leaders === partitions) break;
        if (Date.now() > deadline) throw new Error(`Kafka created the topic ${topic} but gave it no leaders within 15 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      partitionCounts.set(topic, partitions);
      return topic;
    },
    async produceBurst(topic, stream, records) {
      const partitions = partitionCounts.get(topic) ?? 1;
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
      const burst = records.map((r) => {
        const message = { key: r.key, value: JSON.stringify(r.value) };
        return { record: r, message: { ...message, partition: partitionOf({ topic, partitionMetadata, message }) } };
      });
      try {
        const metas = await producer.send({ topic, acks: -1, messages: burst.map((b) => b.message) });
        const next = new Map(metas.map((m) => [m.partition, BigInt(m.baseOffset ?? '-1')]));
        const count = (partition: number) => burst.filter((b) => b.message.partition === partition).length;
        const seen = new Map<number, number>();
        for (const { record, message } of burst) {
          const offset = next.get(message.partition) ?? -1n;
          next.set(message.partition, offset + 1n);
          const position = seen.get(message.partition) ?? 0;
          seen.set(message.partition, position + 1);
          ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream, key: record.id, partition: message.partition, offset: String(offset), value: { ...record.value, ...record.recorded, inBatch: { position, of: count(message.partition) }, tags: record.tags ?? [] } });
          inlets.get(topic)?.remember({ key: record.id, body: Buffer.from(message.value), extra: { kafkaKey: record.key } });
        }
      } catch (error) {
        for (const { record } of burst) ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'info', stream, key: record.id, value: { ...record.value, error: String(error) } });
      }
    },
    async readAll(topic) {
      let ends: Map<number, number> | undefined;
      // A topic just created may not be known everywhere yet: ask again for a few seconds.
      for (let attempt = 0; !ends; attempt++) {
        try {
          ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        } catch (error) {
          if (attempt >= 50 || ctx.signal.aborted) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      const records: TopicRecord[] = [];
      const next = new Map<number, number>();
      const consumer = kafka.consumer({ groupId: `${namespace}.lab-reader`, maxWaitTimeInMs: 100, sessionTimeout: 6_000, heartbeatInterval: 500 });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            records.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', timestamp: Number(message.timestamp) });
            next.set(partition, Number(message.offset) + 1);
          },
        });
        const known = ends;
        // Joining the reader's group can take long right after a failover (its coordinator may
        // be the node that just came back, on a loaded machine): a read cut short would make
        // records the topic has look lost. It ends as soon as every partition is read.
        const deadline = Date.now() + 30_000;
        while (![...known].every(([p, end]) => end === 0 || (next.get(p) ?? 0) >= end) && Date.now() < deadline && !ctx.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        await consumer.disconnect();
      }
      return records;
    },
    registerInlet(name, topic, stream) {
      const send = async (m: InletMessage) => {
        const kafkaKey = typeof m.extra?.kafkaKey === 'string' ? m.extra.kafkaKey : m.key;
        const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: kafkaKey, value: m.body }] });
        return meta ? { partition: meta.partition, offset: String(meta.baseOffset ?? '-1') } : {};
      };
      inlets.set(topic, inlet(ctx, name, { stream, send }));
    },
    async committedOffsets(groupId, topic) {
      const [committed, ends] = await Promise.all([admin.fetchOffsets({ groupId, topics: [topic] }), admin.fetchTopicOffsets(topic)]);
      const offsets: Record<string, number> = {};
      for (const p of committed[0]?.partitions ?? []) offsets[String(p.partition)] = Number(p.offset);
      const endOffsets: Record<string, number> = {};
      for (const p of ends) endOffsets[String(p.partition)] = Number(p.high);
      return { offsets, endOffsets };
    },
    async recordsTimestampedIn(topic, fromMs, toMs) {
      // The first offset at or after each time (the end offset when none is).
      const [from, after] = await Promise.all([admin.fetchTopicOffsetsByTimestamp(topic, fromMs), admin.fetchTopicOffsetsByTimestamp(topic, toMs + 1)]);
      return from.reduce((n, p) => n + Math.max(0, Number(after.find((q) => q.partition === p.partition)?.offset ?? p.offset) - Number(p.offset)), 0);
    },
    async committedPast(groupId, topic, key) {
      const record = ctx.history.produced(key);
      if (record?.partition === undefined || record.offset === undefined) return false;
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const offset = committed[0]?.partitions.find((p) => p.partition === record.partition)?.offset;
      return offset !== undefined && Number(offset) > Number(record.offset);
    },
    async sampleGroup(groupId, topic, instances) {
      const [{ groups }, listed] = await Promise.all([admin.describeGroups([groupId]), admin.listGroups()]);
      const group = groups[0];
      const members = (group?.members ?? []).map((m) => {
        const decoded = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
        return { memberId: m.memberId, clientId: m.clientId, partitions: [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b) };
      });
      const strip = (name: string) => name.slice(namespace.length + 1);
      const otherGroups = listed.groups.map((g) => g.groupId).filter((g) => g.startsWith(`${namespace}.`) && g !== groupId);
      return { groupId: strip(groupId), state: group?.state ?? 'Dead', members, partitionCount: partitionCounts.get(topic) ?? 0, instances, otherGroups: otherGroups.map(strip) };
    },
  };
}
