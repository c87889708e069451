/**
 * Weeks 4-5, replication: no acknowledged write is lost when the partition leader dies.
 *
 * The learner's program is a payments service on the 3-node Kafka cluster (`kafka-cluster`):
 * at start it creates EVENTS_TOPIC (replication factor 3, min.insync.replicas 2), then the lab
 * POSTs it payment events one at a time and the program answers 200 only once Kafka
 * acknowledged the event (acks=all), 5xx when Kafka refused it.
 *
 * The schedule opens each mistake's window every run:
 * - right after /health: the lab reads the topic's partitions, replication factor and
 *   min.insync.replicas (admin API; the cluster's defaults are Kafka's, 1 and 1, so a setting
 *   the program left out shows). A topic with more partitions, fewer replicas or a lower
 *   minimum fails its check; the run then
 *   sends a few events and ends without faults (there is no follower to pause, and nothing
 *   the faults could teach).
 * - warm-up (warmupMs): events one after another; the `oversizedAt`-th carries a receipt of
 *   `oversizedBytes`, more than the topic accepts (max.message.bytes 1 MB): Kafka refuses it
 *   every run. A program that treats a send error as success answers 200 for it.
 * - phase "pause": the scenario SIGSTOPs both followers of partition 0 for a few seconds
 *   (shorter than replica.lag.time.max.ms, so they stay in the ISR; the nodes are the quorum
 *   too, so nothing can shrink the ISR meanwhile). The leader still appends, but its high
 *   watermark cannot move: an acks=all send waits; an acks=1 (or 0) send is acknowledged by the
 *   leader alone; an unawaited send is answered anyway. The lab keeps posting and waits for
 *   `holdAnswers` answers 200 to events sent in the pause (at most holdMs: a correct program
 *   answers none).
 * - phase "kill": the scenario SIGKILLs the partition's leader (and starts it again). When the
 *   followers wake, the quorum elects one of them leader from the ISR; the old leader, back,
 *   truncates what only it had. What an acks=1 program acknowledged in the pause is gone; an
 *   acks=all producer retries its waiting send at the new leader. A producer that does not
 *   retry, or gives up sooner than the failover takes, refuses events it could have written.
 * The lab keeps posting until afterKillMs after the kill and until `tailAnswers` events sent
 * after the followers woke were answered, waits for the last answer, then for the topic to
 * stand still, and reads it back with its own consumer.
 *
 * History: each event sent is a `produce` (stream "events", key: its eventId; value: sentAt,
 * oversized, the event without its receipt), its answer an `observe` (stream "answers", key:
 * the eventId; outcome ok for a 2xx, fail for another status, info for no answer; value:
 * status, answeredAt, error), the topic's settings an `observe` (stream "topic": exists,
 * partitions, replicationFactor, minInsyncReplicas), each record read back a `consume` (stream
 * "records", key: the eventId in its value or undefined; partition, offset).
 */
import { drain } from './blocks/drain.js';
import { answersHealth, freePort } from './blocks/learner-http.js';
import { openKafka } from './blocks/kafka.js';
import { defaults } from './options/kafka-replication.js';
import { type Workload, type WorkloadContext, LearnerNotReadyError, intOptions, jsonObject, sleep, waitUntil, withDeadline } from './types.js';

export type ReplicationOptions = { -readonly [K in keyof typeof defaults]: number };

/** A payment event as the lab sends it (the README's format). */
interface PaymentEvent {
  eventId: string;
  accountId: string;
  amountCents: number;
  /** Only on the oversized event: a scanned receipt, base64, too big for the topic. */
  receipt?: string;
}

/** What the lab reads of the topic's settings. */
interface TopicSettings {
  exists: boolean;
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number | null;
}

export const kafkaReplication: Workload<ReplicationOptions> = {
  name: 'kafka-replication',
  parseOptions: (raw) => ({ ...intOptions(raw, defaults) }),

  async prepare(ctx: WorkloadContext, o) {
    const kafka = await openKafka(ctx, { broker: 'kafka-cluster' });
    // The program creates it: its settings are part of the exercise.
    const topic = kafka.name('payments');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const random = ctx.random('payments');
    let sent = 0;
    let okAnswers = 0;

    const nextEvent = (): PaymentEvent => {
      const n = ++sent;
      const event: PaymentEvent = { eventId: `pay-${String(n).padStart(4, '0')}`, accountId: `account-${String(random.int(1, 9)).padStart(2, '0')}`, amountCents: random.int(100, 90_000) };
      if (n === o.oversizedAt) event.receipt = 'A'.repeat(o.oversizedBytes);
      return event;
    };

    /** Posts one event and records it and its answer; resolves once answered (or not). */
    const post = async (event: PaymentEvent): Promise<boolean> => {
      const { receipt, ...shown } = event;
      const sentAt = Date.now();
      ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: 'events', key: event.eventId, value: { sentAt, oversized: receipt !== undefined, event: shown } });
      const record = (outcome: 'ok' | 'fail' | 'info', value: Record<string, unknown>) =>
        ctx.history.record({ process: 'lab', kind: 'observe', outcome, stream: 'answers', key: event.eventId, value: { sentAt, answeredAt: Date.now(), ...value } });
      try {
        const { response, body } = await withDeadline(ctx.signal, o.answerTimeoutMs, async (signal) => {
          const response = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event), signal });
          return { response, body: (await response.text()).slice(0, 200) };
        });
        record(response.ok ? 'ok' : 'fail', { status: response.status, ...(response.ok ? {} : { body }) });
        if (response.ok) okAnswers++;
        return response.ok;
      } catch (error) {
        record('info', { error: (error as Error).name === 'TimeoutError' ? `no answer within ${o.answerTimeoutMs / 1000} s` : `no answer (${(error as Error).message})` });
        return false;
      }
    };

    const healthy = () => answersHealth(url);

    /** The topic's settings once a node answers for it, or undefined (not known there yet). */
    const readSettings = async (): Promise<TopicSettings | undefined> => {
      const metadata = await kafka.admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions ?? [];
      if (partitions.length === 0) return undefined;
      const { ConfigResourceTypes } = (await import('kafkajs')).default;
      const described = await kafka.admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }], includeSynonyms: false });
      const value = described.resources[0]?.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue;
      return { exists: true, partitions: partitions.length, replicationFactor: Math.min(...partitions.map((p) => p.replicas.length)), minInsyncReplicas: value === undefined ? null : Number(value) };
    };
    const settings = async (): Promise<TopicSettings> => {
      // A node that just rejoined (the last run's kill) may not know a new topic for a moment
      // ("does not host this topic-partition"): ask again for a few seconds before saying it
      // does not exist.
      const deadline = Date.now() + o.topicWaitMs;
      while (Date.now() < deadline && !ctx.signal.aborted) {
        const found = await readSettings().catch(() => undefined);
        if (found) return found;
        await sleep(200, ctx.signal);
      }
      return { exists: false, partitions: 0, replicationFactor: 0, minInsyncReplicas: null };
    };

    const inSync = async () => {
      const metadata = await kafka.admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
      const p0 = metadata?.topics[0]?.partitions.find((p) => p.partitionId === 0);
      return p0 !== undefined && p0.leader >= 0 && p0.isr.length === p0.replicas.length;
    };

    return {
      env: { ...kafka.env(), EVENTS_TOPIC: topic, PORT: String(port) },
      async awaitReady() {
        if (!(await waitUntil(healthy, ctx.timeouts.readyMs, ctx.signal, 200))) {
          throw new LearnerNotReadyError(
            `your program did not answer GET ${url}/health with 200 within ${ctx.timeouts.readyMs / 1000}s`,
            'Create the topic in EVENTS_TOPIC (replication factor 3, min.insync.replicas 2), connect your producer, then listen for HTTP on the port in PORT and answer GET /health with 200.',
          );
        }
      },
      async run() {
        const found = await settings();
        ctx.history.record({ process: 'lab', kind: 'observe', outcome: found.exists ? 'ok' : 'fail', stream: 'topic', key: kafka.baseOf(topic), value: { name: topic, ...found } });
        // One partition: the faults aim at partition 0's nodes, every event must meet them.
        const durable = found.exists && found.partitions === 1 && found.replicationFactor >= 3 && (found.minInsyncReplicas ?? 0) >= 2;

        // Events one after another, in the background, until told to stop.
        let stop = false;
        const sender = (async () => {
          while (!stop && !ctx.signal.aborted) {
            await post(nextEvent());
            await sleep(o.gapMs, ctx.signal);
          }
        })();
        const finish = async () => {
          stop = true;
          await sender;
        };

        if (!durable) {
          // Nothing to teach with faults on a topic that cannot keep a write through them.
          ctx.progress(`the topic ${topic} has ${found.partitions} partition(s), replication factor ${found.replicationFactor} and min.insync.replicas ${found.minInsyncReplicas ?? '?'}; no faults this run`);
          await sleep(o.warmupMs, ctx.signal);
          await finish();
        } else {
          // Every replica in sync before the pause, so the followers stay in the ISR through it.
          await waitUntil(inSync, o.isrWaitMs, ctx.signal, 200);
          ctx.progress('posting payment events; the lab will pause both followers of partition 0, then kill its leader');
          await sleep(o.warmupMs, ctx.signal);
          let pauses = 0;
          let killed = false;
          ctx.onFault((op) => {
            if (op.value.phase !== 'start') return;
            if (op.value.fault === 'pause-broker-node') pauses++;
            if (op.value.fault === 'kill-broker-node') killed = true;
          });
          await ctx.phase('pause');
          // Both followers stopped: from here the leader alone has what it appends.
          if (!(await waitUntil(async () => pauses >= 2, 10_000, ctx.signal, 5))) throw new Error('the lab could not pause both followers of partition 0 within 10 s');
          const pausedAt = Date.now();
          // SIGSTOP takes a moment to stop every thread: count answers from a little later.
          await sleep(o.graceMs, ctx.signal);
          const okBefore = okAnswers;
          // Evidence: the program acknowledged events only its leader had (at most holdMs).
          await waitUntil(async () => okAnswers - okBefore >= o.holdAnswers, o.holdMs, ctx.signal, 10);
          ctx.progress('killing the partition leader');
          void ctx.phase('kill');
          if (!(await waitUntil(async () => killed, 5_000, ctx.signal, 5))) throw new Error('the lab could not kill the leader of partition 0 within 5 s');
          const killedAt = Date.now();
          // The followers wake when their pause ends; then a few answers on the new leader.
          const wokeAt = pausedAt + o.pauseMs;
          await sleep(Math.max(0, wokeAt - Date.now()), ctx.signal);
          const okWoken = okAnswers;
          await waitUntil(async () => Date.now() - killedAt >= o.afterKillMs && okAnswers - okWoken >= o.tailAnswers, o.answerTimeoutMs, ctx.signal, 50);
          await finish();
        }

        const endOffsets = async () => (await kafka.admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
        if (found.exists) {
          await drain(ctx, { done: () => false, progress: async () => String(await endOffsets().catch(() => -1)), quietMs: o.quietMs, intervalMs: 100 });
          for (const r of await kafka.readAll(topic)) {
            const value = jsonObject(r.value);
            const eventId = typeof value?.eventId === 'string' ? value.eventId : undefined;
            ctx.history.record({ process: 'lab', kind: 'consume', outcome: 'ok', stream: 'records', ...(eventId === undefined ? {} : { key: eventId }), partition: r.partition, offset: r.offset, value: { kafkaKey: r.key, ...(eventId === undefined ? { raw: r.value.slice(0, 200) } : {}) } });
          }
        }
      },
      async collect() {},
    };
  },
};
