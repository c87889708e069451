/**
 * Weeks 4-5, Kafka consumer group.
 *
 * Several copies of the learner's program consume PAYMENTS_TOPIC in the consumer group
 * GROUP_ID and, for each payment, call the lab's ledger API (LEDGER_API_URL) once it is
 * processed. The scenario's kill-learner fault holds one booking open, SIGKILLs the copy
 * that made it and does not restart it: the group must rebalance and the survivors must
 * pick up its partitions from its last committed offsets. Nothing may be lost, and offsets
 * must be committed only after processing.
 *
 * The hold waits for the mistake to show before the kill: the probe "committed-past" (the
 * group's committed offset already past the held payment: a commit on a timer, before the
 * work, or offset+1 of a payment booked after it), or the payment booked by another copy
 * (its partition moved on), or the hold's bound, longer than librdkafka's 5 s auto-commit
 * interval so a timer commit always lands inside it.
 *
 * The lab samples the group (members, assigned partitions) every 500 ms, and reads the
 * committed offsets at the end. The topic and every group under the run's namespace are
 * deleted afterwards.
 */
import type { Admin } from 'kafkajs';
import type { KafkaGroupSample } from '../checks/observations.js';
import { scopedNamespace } from '../runner/shared.js';
import { LearnerNotReadyError, type Workload, type WorkloadContext, every, intOption, messageId, QuietClock, sleep, waitUntil } from './types.js';

export interface ConsumerGroupOptions {
  partitions: number;
  payments: number;
  customers: number;
  apiLatencyMs: number;
  /** Up to this much more per booking, from the run's seed: payments booked side by side
   *  finish out of order. */
  apiJitterMs: number;
  /** Produce this many in one request, then pause `pauseMs`, so the kill lands mid-stream. */
  batch: number;
  pauseMs: number;
  /** The drain ends early once nothing new was processed for this long: lost payments never
   *  will be. Longer than the exercise's session timeout (2 s), so the wait for the killed
   *  copy's partitions to move to a live copy is never mistaken for the end. */
  quietMs: number;
}

export const kafkaConsumerGroup: Workload<ConsumerGroupOptions> = {
  name: 'kafka-consumer-group',
  parseOptions: (raw) => ({
    partitions: intOption(raw, 'partitions', 6),
    payments: intOption(raw, 'payments', 300),
    customers: intOption(raw, 'customers', 40),
    apiLatencyMs: intOption(raw, 'apiLatencyMs', 10),
    apiJitterMs: intOption(raw, 'apiJitterMs', 20),
    batch: intOption(raw, 'batch', 30),
    pauseMs: intOption(raw, 'pauseMs', 100),
    quietMs: intOption(raw, 'quietMs', 5_000),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const brokers = ctx.endpoints.kafka?.brokers;
    if (!brokers) throw new Error('kafka endpoint missing');
    const namespace = scopedNamespace(ctx.namespace, ctx.shared, '.');
    const topic = `${namespace}.payments`;
    const groupId = `${namespace}.payments-processor`;
    const sasl = ctx.endpoints.kafka?.sasl;
    // Loaded here, not at the top: every command reads the catalog (and so this module);
    // only a graded run needs the client.
    const { AssignerProtocol, Kafka, Partitioners, logLevel } = (await import('kafkajs')).default;
    const kafka = new Kafka({ clientId: `brokerlab-${ctx.runId}`, brokers, ...(sasl ? { sasl } : {}), logLevel: logLevel.NOTHING, retry: { retries: 3 } });
    const admin: Admin = kafka.admin();
    await admin.connect();
    ctx.defer(() => admin.disconnect());
    ctx.defer(() => cleanupNamespace(admin, namespace));
    // A shared cluster keeps its own replication factor (it may refuse 1); the lab's Kafka has one node.
    await admin.createTopics({ topics: [{ topic, numPartitions: o.partitions, ...(ctx.shared ? {} : { replicationFactor: 1 }) }], waitForLeaders: true });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    ctx.defer(() => producer.disconnect());

    const ledger = await ctx.downstream({
      name: 'ledger-api',
      keyField: 'paymentId',
      latencyMs: o.apiLatencyMs,
      jitterMs: o.apiJitterMs,
      reply: (key) => ({ status: 200, body: { booked: key } }),
    });

    // Where a fault's victim should be: a payment followed by more of its partition in the
    // same fetched batch, so work on a later one can overtake it.
    ctx.registerProbe('followed-in-batch', async (key) => {
      const value = ctx.history.history.find((op) => op.kind === 'produce' && op.key === key)?.value as { inBatch?: { position: number; of: number } } | undefined;
      return value?.inBatch !== undefined && value.inBatch.position < value.inBatch.of - 1;
    });

    // Evidence for a fault holding a booking open: the group already committed past that
    // payment (a commit on a timer, before the work, or an offset+1 of later work).
    ctx.registerProbe('committed-past', async (key) => {
      const record = ctx.history.history.find((op) => op.kind === 'produce' && op.key === key);
      if (record?.partition === undefined || record.offset === undefined) return false;
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const offset = committed[0]?.partitions.find((p) => p.partition === record.partition)?.offset;
      return offset !== undefined && Number(offset) > Number(record.offset);
    });

    const strip = (name: string) => name.slice(namespace.length + 1);
    const sampleGroup = async (): Promise<KafkaGroupSample> => {
      const [{ groups }, listed] = await Promise.all([admin.describeGroups([groupId]), admin.listGroups()]);
      const group = groups[0];
      const members = (group?.members ?? []).map((m) => {
        const decoded = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
        return { memberId: m.memberId, clientId: m.clientId, partitions: [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b) };
      });
      const otherGroups = listed.groups.map((g) => g.groupId).filter((g) => g.startsWith(`${namespace}.`) && g !== groupId);
      return { groupId: strip(groupId), state: group?.state ?? 'Dead', members, partitionCount: o.partitions, instances: ctx.instances, otherGroups: otherGroups.map(strip) };
    };
    let lastSample = '';
    const recordGroup = async (): Promise<KafkaGroupSample> => {
      const sample = await sampleGroup();
      const fingerprint = JSON.stringify([sample.state, sample.members.map((m) => [m.clientId, m.partitions]), sample.otherGroups]);
      if (fingerprint !== lastSample) {
        lastSample = fingerprint;
        ctx.history.record({ process: 'lab', kind: 'observe', outcome: 'ok', key: 'kafka-group', value: sample });
      }
      return sample;
    };
    const offsets = async () => {
      const [committed, ends] = await Promise.all([admin.fetchOffsets({ groupId, topics: [topic] }), admin.fetchTopicOffsets(topic)]);
      const byPartition: Record<string, number> = {};
      for (const p of committed[0]?.partitions ?? []) byPartition[String(p.partition)] = Number(p.offset);
      const endOffsets: Record<string, number> = {};
      for (const p of ends) endOffsets[String(p.partition)] = Number(p.high);
      return { offsets: byPartition, endOffsets };
    };
    const allCommitted = async () => {
      const { offsets: committed, endOffsets } = await offsets();
      return Object.entries(endOffsets).every(([p, end]) => (committed[p] ?? -1) >= end);
    };
    const processed = () => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.outcome === 'ok').map((op) => op.key)).size;

    return {
      env: {
        KAFKA_BROKERS: brokers.join(','),
        PAYMENTS_TOPIC: topic,
        GROUP_ID: groupId,
        LEDGER_API_URL: ledger.url,
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        // A secured (e.g. workshop) cluster: the lab's config helper turns these into kafkajs's `sasl`.
        ...(sasl ? { KAFKA_SASL_MECHANISM: sasl.mechanism, KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD: sasl.password } : {}),
      },
      async awaitReady() {
        // Ready when the group has every instance, or when the instances joined groups of
        // their own (graded by group-shares-partitions rather than refused here).
        const joined = async () => {
          const sample = await recordGroup();
          if (sample.state === 'Stable' && sample.members.length >= ctx.instances) return true;
          const others = await Promise.all(sample.otherGroups.map((g) => admin.describeGroups([`${namespace}.${g}`])));
          const otherMembers = others.reduce((n, d) => n + (d.groups[0]?.members.length ?? 0), 0);
          return sample.members.length + otherMembers >= ctx.instances && sample.state !== 'PreparingRebalance' && sample.state !== 'CompletingRebalance';
        };
        if (!(await waitUntil(joined, ctx.timeouts.readyMs, ctx.signal, 250))) {
          const sample = await recordGroup();
          if (sample.members.length === 0 && sample.otherGroups.length === 0) {
            throw new LearnerNotReadyError(
              `no consumer joined the group "${sample.groupId}" within ${ctx.timeouts.readyMs / 1000}s`,
              'Create a kafkajs consumer with groupId: process.env.GROUP_ID, subscribe to PAYMENTS_TOPIC and call consumer.run().',
            );
          }
        }
      },
      async run() {
        const stopWatching = every(500, ctx.signal, async () => void (await recordGroup()));
        try {
          ctx.progress(`producing ${o.payments} payments to ${o.partitions} partitions; one consumer will be killed mid-payment`);
          // A burst of `batch` payments goes out in one produce request, so each partition's
          // share of it lands in one record batch and a consumer fetches it together: a
          // program that books a fetched batch in parallel has later payments of a partition
          // in flight beside earlier ones (see the probe "followed-in-batch").
          const partitionOf = Partitioners.DefaultPartitioner();
          const partitionMetadata = Array.from({ length: o.partitions }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
          for (let first = 1; first <= o.payments && !ctx.signal.aborted; first += o.batch) {
            const burst = Array.from({ length: Math.min(o.batch, o.payments - first + 1) }, (_, n) => {
              const i = first + n;
              const payment = { paymentId: messageId('payment', i), customer: `customer-${(i * 17) % o.customers}`, amountCents: ((i * 37) % 9000) + 100 };
              const message = { key: payment.customer, value: JSON.stringify(payment) };
              return { payment, message: { ...message, partition: partitionOf({ topic, partitionMetadata, message }) } };
            });
            try {
              const metas = await producer.send({ topic, acks: -1, messages: burst.map((b) => b.message) });
              const next = new Map(metas.map((m) => [m.partition, BigInt(m.baseOffset ?? '-1')]));
              const inPartition = (partition: number) => burst.filter((b) => b.message.partition === partition).length;
              const seen = new Map<number, number>();
              for (const { payment, message } of burst) {
                const offset = next.get(message.partition) ?? -1n;
                next.set(message.partition, offset + 1n);
                const position = seen.get(message.partition) ?? 0;
                seen.set(message.partition, position + 1);
                ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: 'payments', key: payment.paymentId, partition: message.partition, offset: String(offset), value: { ...payment, inBatch: { position, of: inPartition(message.partition) } } });
              }
            } catch (error) {
              for (const { payment } of burst) ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'info', stream: 'payments', key: payment.paymentId, value: { ...payment, error: String(error) } });
            }
            await sleep(o.pauseMs, ctx.signal);
          }
          // Settled when everything was processed and every partition is committed to its end,
          // or when nothing new was processed for a while: lost payments never will be, and a
          // group nobody joined (a group id per copy) never commits.
          const quiet = new QuietClock();
          const settled = async () => {
            const now = processed();
            // A held booking blocks its partition: the stillness of a hold is not the end.
            if (quiet.quietFor(String(now), !ctx.faultActive()) > o.quietMs) return true;
            return now >= o.payments && (await allCommitted());
          };
          await waitUntil(settled, ctx.timeouts.drainMs, ctx.signal, 250);
          await recordGroup();
        } finally {
          await stopWatching();
        }
      },
      async collect() {
        ctx.history.record({ process: 'lab', kind: 'observe', outcome: 'ok', key: 'kafka-committed-offsets', value: await offsets() });
      },
    };
  },
};

/** Deletes every topic and consumer group under the run's namespace. A group can only be
 *  deleted once empty, and a killed member lingers until its session times out. */
async function cleanupNamespace(admin: Admin, namespace: string): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${namespace}.`));
    if (groups.length === 0) return;
    try {
      await admin.deleteGroups(groups);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`could not delete consumer groups ${groups.join(', ')}: ${String(error)}`);
      await sleep(1_000);
    }
  }
}
