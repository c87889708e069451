/**
 * Week 7, comparing brokers: the learner's program measures one stated workload on Redis
 * (a stream read through a consumer group), RabbitMQ (a queue behind a fanout exchange) and
 * Kafka (a one-partition topic read by a consumer group), and writes throughput, p50 and p99
 * per broker to RESULTS_FILE. The lab measures the same workload itself, with the driver of
 * `brokerlab bench` (bench/bursts.ts), right before the program starts (never at the same
 * time: the two would slow each other down on a 2-core machine), and keeps what each broker
 * saw of the program's run as evidence that it really ran the workload.
 *
 * The workload (the README states it): per broker `messages` messages of `size` bytes, in
 * bursts of `burst` every `intervalMs`, each burst published as fast as the client allows,
 * one consumer; end-to-end latency and throughput as bench/bursts.ts defines them. Bursts
 * make the end-to-end latency of a burst's last messages include the queueing of the whole
 * burst (milliseconds), while one publish call returns in microseconds: timing the publish
 * alone lands orders of magnitude below the lab's number every run.
 *
 * The lab prepares the names: the stream with its group `bench`, the exchange `bench` bound
 * to the queue `bench` and to a tap queue of the lab's own (it counts and sizes what was
 * published), the topic. After the program stopped it reads the stream's length, the group's
 * entries-read and pending count, the tap's and the queue's depth (and, from the management
 * API's statistics, how many the queue delivered without an ack), the topic's end offset and
 * the group's committed offset, and how many Kafka records carry a timestamp inside the
 * window in which the Redis stream was filled (its first and last entry ids). Once the program's RESULTS_FILE is complete the lab lets it
 * run AFTER_RESULTS_MS more before stopping it: a program that exits by itself right after
 * writing the file (the README says to keep running) is then always seen doing so.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureBursts, type BurstWorkload } from '../bench/bursts.js';
import { kafkaBench } from '../bench/kafka.js';
import { rabbitmqBench } from '../bench/rabbitmq.js';
import { redisBench } from '../bench/redis.js';
import type { Session, Variant } from '../bench/types.js';
import { type CompareEvidence, type CompareNumbers, recordObservation } from '../runner/observations.js';
import { openKafka } from './blocks/kafka.js';
import { openRabbit } from './blocks/rabbitmq.js';
import { openRedis } from './blocks/redis.js';
import { type Workload, intOptions, jsonObject, sleep } from './types.js';
import { defaults } from './options/compare-brokers.js';

export interface CompareOptions extends BurstWorkload {
  /** How long the lab waits for the results file after the program started. */
  resultsWaitMs: number;
}

export const BROKERS = ['redis', 'rabbitmq', 'kafka'] as const;
const EXCHANGE = 'bench';
const QUEUE = 'bench';
const TAP_QUEUE = 'bench-lab-tap';
const STREAM_GROUP = 'bench';
/** The lab's own measurement gives up on missing messages once none arrived for this long. */
const LAB_DRAIN_IDLE_MS = 3_000;
/** How long the program keeps running under the lab's eyes once its RESULTS_FILE is complete:
 *  a program that exits right after writing it (the README says to keep running) is always
 *  seen exiting on its own, never taken for one the lab stopped at the same moment. */
const AFTER_RESULTS_MS = 1_500;
/** How long the lab waits for RabbitMQ's statistics to count every message the queue gave out. */
const STATS_WAIT_MS = 4_000;
/** Messages of the tap the lab reads back to check their size. */
const SIZE_SAMPLE = 50;

/** The bench variant closest to what the README asks of each broker. */
function variantOf(broker: (typeof BROKERS)[number]): Variant {
  const id = { redis: 'stream-pipeline', rabbitmq: 'confirms-off', kafka: 'batch100-acks1' }[broker];
  const bench = { redis: redisBench, rabbitmq: rabbitmqBench, kafka: kafkaBench }[broker];
  const variant = bench.variants.find((v) => v.id === id);
  if (!variant) throw new Error(`bench variant ${broker}/${id} missing`);
  return variant;
}

export const compareBrokers: Workload<CompareOptions> = {
  name: 'compare-brokers',
  parseOptions: (raw) => {
    const o = intOptions(raw, defaults);
    if (o.burst < 1 || o.messages < o.burst) throw new Error('"burst" must be between 1 and "messages"');
    if (o.size < 16) throw new Error('"size" must be at least 16 bytes');
    return o;
  },
  async prepare(ctx, o) {
    const redis = await openRedis(ctx);
    const rabbit = await openRabbit(ctx);
    const kafka = await openKafka(ctx);
    const endpoints = ctx.endpoints;
    if (!endpoints.redis || !endpoints.rabbitmq || !endpoints.kafka) throw new Error('redis, rabbitmq and kafka endpoints needed');
    const plan = { messages: o.messages, size: o.size, burst: o.burst, intervalMs: o.intervalMs };
    recordObservation(ctx.history, 'compare-plan', { brokers: [...BROKERS], ...plan });

    // The lab's own measurement first, under names of its own, before the program runs.
    const numbers: Record<string, CompareNumbers> = {};
    const labSessions: Record<(typeof BROKERS)[number], () => Promise<Session>> = {
      redis: () => redisBench.open(endpoints.redis!, `${redis.namespace}:lab`),
      rabbitmq: () => rabbitmqBench.open(endpoints.rabbitmq!, `${ctx.namespace}-lab`),
      kafka: () => kafkaBench.open(endpoints.kafka!, `${kafka.namespace}.lab`),
    };
    for (const broker of BROKERS) {
      ctx.progress(`the lab measures ${broker} itself (${o.messages} messages of ${o.size} B, bursts of ${o.burst} every ${o.intervalMs} ms)`);
      const session = await labSessions[broker]();
      try {
        const r = await measureBursts(session, variantOf(broker), plan, { drainIdleMs: LAB_DRAIN_IDLE_MS, signal: ctx.signal });
        numbers[broker] = { count: r.count, throughput: r.throughput, p50: r.p50, p99: r.p99 };
      } finally {
        await session.close();
      }
    }
    recordObservation(ctx.history, 'compare-lab', { numbers });

    // The program's names.
    const stream = redis.name('bench');
    await redis.client.xgroup('CREATE', stream, STREAM_GROUP, '$', 'MKSTREAM');
    const setup = await rabbit.connection.createChannel();
    await setup.assertExchange(EXCHANGE, 'fanout', { durable: true });
    for (const queue of [QUEUE, TAP_QUEUE]) {
      await setup.assertQueue(queue, { durable: true });
      await setup.bindQueue(queue, EXCHANGE, '');
    }
    await setup.close();
    const topic = await kafka.createTopic('bench', 1);
    const groupId = kafka.name('bench');

    const dir = await mkdtemp(join(tmpdir(), 'brokerlab-compare-'));
    ctx.defer(() => rm(dir, { recursive: true, force: true }));
    const resultsFile = join(dir, 'results.json');
    let startedAt = 0;

    return {
      env: {
        REDIS_URL: redis.url,
        BENCH_STREAM: stream,
        BENCH_STREAM_GROUP: STREAM_GROUP,
        AMQP_URL: rabbit.url,
        BENCH_EXCHANGE: EXCHANGE,
        BENCH_QUEUE: QUEUE,
        ...kafka.env(),
        BENCH_TOPIC: topic,
        BENCH_GROUP_ID: groupId,
        BENCH_MESSAGES: String(o.messages),
        BENCH_SIZE: String(o.size),
        BENCH_BURST: String(o.burst),
        BENCH_INTERVAL_MS: String(o.intervalMs),
        RESULTS_FILE: resultsFile,
      },
      async awaitReady() {
        // Nothing to wait for: the program measures as soon as it starts.
        startedAt = ctx.history.now();
      },
      async run() {
        ctx.progress('your program measures; waiting for RESULTS_FILE');
        const deadline = Date.now() + o.resultsWaitMs;
        let text: string | undefined;
        // A file still being written does not parse yet: read again until it does, or the wait ends.
        while (Date.now() < deadline && !ctx.signal.aborted) {
          text = await readFile(resultsFile, 'utf8').catch(() => undefined);
          if (text !== undefined && jsonObject(text)) break;
          await sleep(100, ctx.signal);
        }
        recordObservation(ctx.history, 'compare-results', {
          exists: text !== undefined,
          text: (text ?? '').slice(0, 4000),
          writtenAfterMs: text !== undefined ? ctx.history.now() - startedAt : null,
        });
        if (text !== undefined && jsonObject(text)) await sleep(AFTER_RESULTS_MS, ctx.signal).catch(() => {});
      },
      async collect() {
        const evidence: CompareEvidence[] = [];
        // Redis: the stream and its group.
        const length = await redis.client.xlen(stream).catch(() => 0);
        const entries = (await redis.client.xrangeBuffer(stream, '-', '+', 'COUNT', SIZE_SAMPLE).catch(() => [])) as Array<[Buffer, Buffer[]]>;
        const groups = (await redis.client.xinfo('GROUPS', stream).catch(() => [])) as unknown[][];
        const group = groups.map(pairs).find((g) => g.name === STREAM_GROUP);
        // Its entry ids are the Redis server's milliseconds: when the stream was filled.
        const last = (await redis.client.xrevrange(stream, '+', '-', 'COUNT', 1).catch(() => []))[0]?.[0];
        const idMs = (id: string | undefined) => (id === undefined ? undefined : Number(id.split('-')[0]));
        const firstMs = idMs(entries[0]?.[0]?.toString());
        const lastMs = idMs(last);
        const window: [number, number] | undefined = firstMs !== undefined && lastMs !== undefined && Number.isFinite(firstMs) && Number.isFinite(lastMs) ? [firstMs, lastMs] : undefined;
        evidence.push({
          broker: 'redis',
          ...(window ? { publishedWindowMs: window } : {}),
          published: length,
          wrongSizes: entries.map(([, fields]) => (fields.length === 2 && fields[0]?.toString() === 'm' ? (fields[1]?.length ?? 0) : -1)).filter((n) => n !== o.size).slice(0, 5),
          consumed: group ? Number(group['entries-read'] ?? 0) : null,
          pending: group ? Number(group.pending ?? 0) : 0,
        });
        // RabbitMQ: the tap counts what was published; the queue holds what was not acked.
        const tap = await rabbit.probeQueue(TAP_QUEUE);
        const left = await rabbit.probeQueue(QUEUE);
        const sample = await sampleSizes(rabbit.connection, TAP_QUEUE);
        const published = tap?.messageCount ?? 0;
        const consumed = left ? published - left.messageCount : null;
        const autoAcked = consumed === null ? null : await autoAckedOf(rabbit.api, rabbit.vhost, QUEUE, consumed, ctx.signal);
        evidence.push({ broker: 'rabbitmq', published, wrongSizes: sample.filter((n) => n !== o.size).slice(0, 5), consumed, pending: 0, autoAcked });
        // Kafka: the topic's end offset and the group's commit.
        const { offsets, endOffsets } = await kafka.committedOffsets(groupId, topic);
        const committed = offsets['0'];
        // Kafka's record timestamps (the producer's clock, the same machine's as Redis's here)
        // against the window in which the Redis stream was filled: brokers measured at once.
        const during = window ? await kafka.recordsTimestampedIn(topic, window[0], window[1]).catch(() => undefined) : undefined;
        evidence.push({ broker: 'kafka', published: endOffsets['0'] ?? 0, wrongSizes: [], consumed: committed === undefined || committed < 0 ? null : committed, pending: 0, ...(during === undefined ? {} : { publishedDuring: { redis: during } }) });
        for (const e of evidence) recordObservation(ctx.history, 'compare-evidence', e);
      },
    };
  },
};

/**
 * How many messages the queue handed out without an ack (a consumer with auto-ack, a get with
 * no ack), from the management API's statistics (sampled every second: collect_statistics_interval).
 * They are read once they account for every message that left the queue (acked +
 * delivered or got without an ack >= consumed): asked again until then, for at most
 * STATS_WAIT_MS, after which the answer is null (unknown, never a guess).
 */
async function autoAckedOf(api: import('../namespaces/rabbitmq.js').ManagementApi, vhost: string, queue: string, consumed: number, signal: AbortSignal): Promise<number | null> {
  const deadline = Date.now() + STATS_WAIT_MS;
  for (;;) {
    const { status, json } = await api('GET', `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`).catch(() => ({ status: 0, json: undefined }));
    if (status === 200 && json) {
      const stats = (json as { message_stats?: { ack?: number; deliver_no_ack?: number; get_no_ack?: number } }).message_stats ?? {};
      const noAck = (stats.deliver_no_ack ?? 0) + (stats.get_no_ack ?? 0);
      if ((stats.ack ?? 0) + noAck >= consumed) return noAck;
    }
    if (Date.now() >= deadline || signal.aborted) return null;
    await sleep(250, signal).catch(() => {});
  }
}

/** XINFO GROUPS answers each group as a flat [name, value, ...] list. */
function pairs(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** The sizes of the first SIZE_SAMPLE messages of a queue, taken without removing them. */
async function sampleSizes(connection: import('amqplib').ChannelModel, queue: string): Promise<number[]> {
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  const sizes: number[] = [];
  try {
    for (let i = 0; i < SIZE_SAMPLE; i++) {
      const message = await channel.get(queue, { noAck: false });
      if (message === false) break;
      sizes.push(message.content.length);
    }
  } catch {
    // the queue is gone: no sample
  } finally {
    await channel.close().catch(() => {}); // unacked gets go back to the queue
  }
  return sizes;
}
