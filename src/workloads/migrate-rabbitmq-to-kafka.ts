/**
 * Week 7, migrating a live flow from RabbitMQ to Kafka.
 *
 * The learner's program is the order-fulfilment service: it consumes order events and ships
 * each order with one call to the lab's fulfilment API (`POST /shipments`, stream
 * "fulfillment-api"). Before the migration the lab's producers publish orders to ORDERS_QUEUE
 * (RabbitMQ, the run's vhost); at the cut-over they switch to ORDERS_TOPIC (Kafka), and the
 * lab says so in MIGRATION_FILE (a JSON file, `{"producers": "rabbitmq"}` until the cut-over,
 * then `{"producers": "kafka"}`, replaced atomically: a feature flag as a mounted config file).
 * Orders already in RabbitMQ then are still the program's to ship. The program consumes Kafka
 * in the consumer group GROUP_ID, and remembers what it shipped under KEY_PREFIX in Redis.
 *
 * Phases, so that each classic mistake shows every run:
 * 1. "rabbitmq": `rabbitOrders` orders on RabbitMQ, shipped; then `beforeKillOrders` more at
 *    once, during which the scenario's kill-learner fault kills the program mid-call and
 *    restarts it (an ack before the call loses the order in hand; memory is gone).
 * 2. "cutover": `cutoverBacklog` orders published on RabbitMQ at once (a backlog the program
 *    needs seconds for), the flag flipped the moment they are in, then `kafkaOrders` on Kafka
 *    right away. A program that switches on the flag leaves the backlog in RabbitMQ; one that
 *    drains first and then subscribes from the end of the topic (`latest`) never sees the
 *    Kafka orders published while it drained.
 * 3. "overlap": `laterOrders` new ones on Kafka, then the copies a dual-writing producer made:
 *    `overlapEarly` orders shipped before the first kill and the last `overlapLate` of the new
 *    ones (shipped after the last restart) published again on Kafka (same
 *    orderId, tag "overlap"). A program that does not dedupe
 *    ships the late ones twice; one that dedupes in memory ships the early ones twice.
 * At the end the lab counts what is left in ORDERS_QUEUE and reads GROUP_ID's committed offsets;
 * all along it scans the keys under KEY_PREFIX for the order ids the program marks as shipped.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordObservation } from '../runner/observations.js';
import { drain } from './blocks/drain.js';
import { openKafka } from './blocks/kafka.js';
import { producer } from './blocks/produce.js';
import { awaitConsumers, openRabbit } from './blocks/rabbitmq.js';
import { openRedis, scanMarks } from './blocks/redis.js';
import { keysMatching } from '../namespaces/redis.js';
import { type Workload, type WorkloadContext, every, intOptions, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/migrate-rabbitmq-to-kafka.js';

export interface MigrateOptions {
  /** Orders on RabbitMQ before anything happens. */
  rabbitOrders: number;
  /** Orders on RabbitMQ published at once, among which the kill strikes. */
  beforeKillOrders: number;
  /** Orders on RabbitMQ published at once right before the flag flips: still in the queue then. */
  cutoverBacklog: number;
  /** Orders on Kafka right after the flag flips, while the backlog drains. */
  kafkaOrders: number;
  /** Orders shipped before the kill, published again on Kafka in phase 3. */
  overlapEarly: number;
  /** The last of the new orders of phase 3, published again on Kafka once shipped. */
  overlapLate: number;
  /** New orders on Kafka in phase 3. */
  laterOrders: number;
  partitions: number;
  apiLatencyMs: number;
  /** Up to this much more per call, from the run's seed. */
  apiJitterMs: number;
  /** A drain ends once nothing moved for this long. */
  quietMs: number;
}

/** How long the kill's victim call holds the warehouse before the kill: the program has
 *  marked and acked the order shipped before it by then. */
const SETTLE_BEFORE_KILL_MS = 200;

/** How long after the flip the second kill may strike (the backlog takes at least 600 ms to ship). */
const FLAG_SEEN_MS = 450;

/** How many orders of the cut-over backlog are shipped before the second kill. */
const BACKLOG_SHIPPED_BEFORE_KILL = 4;

/** An order id as the lab makes them (messageId('order', n)), to find in the program's keys. */
const ORDER_ID = /order-\d{4}-[0-9a-f]{6}/g;

export interface MigrationFlag {
  producers: 'rabbitmq' | 'kafka';
}

export const migrateRabbitmqToKafka: Workload<MigrateOptions> = {
  name: 'migrate-rabbitmq-to-kafka',
  parseOptions: (raw) => {
    const o = { ...intOptions(raw, defaults) };
    if (o.overlapEarly > o.rabbitOrders) throw new Error('"overlapEarly" must be at most "rabbitOrders"');
    if (o.overlapLate > o.laterOrders) throw new Error('"overlapLate" must be at most "laterOrders"');
    return o;
  },

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const kafka = await openKafka(ctx);
    const redis = await openRedis(ctx);
    const ORDERS_QUEUE = rabbit.name('orders');
    const ORDERS_TOPIC = await kafka.createTopic('orders', o.partitions);
    const GROUP_ID = kafka.name('fulfillment');
    const setup = await rabbit.connection.createChannel();
    await setup.assertQueue(ORDERS_QUEUE, { durable: true });
    await setup.close();

    // The feature flag, as a file the lab replaces atomically (write, then rename).
    const flagDir = await mkdtemp(join(tmpdir(), `${ctx.namespace}-migration-`));
    ctx.defer(() => rm(flagDir, { recursive: true, force: true }));
    const MIGRATION_FILE = join(flagDir, 'migration.json');
    let flippedAt: number | undefined;
    /** The run's phase, for the kills' probes. */
    let phase = 'rabbitmq';
    const setFlag = async (flag: MigrationFlag) => {
      flippedAt = flag.producers === 'kafka' ? ctx.history.now() : undefined;
      await writeFile(`${MIGRATION_FILE}.tmp`, `${JSON.stringify(flag)}\n`);
      await rename(`${MIGRATION_FILE}.tmp`, MIGRATION_FILE);
    };
    await setFlag({ producers: 'rabbitmq' });

    const viaRabbit = producer(ctx, {
      stream: 'orders',
      inlets: { 'orders-rabbitmq': (m) => rabbit.publish('', ORDERS_QUEUE, m.body, { messageId: m.key, contentType: 'application/json', persistent: true }) },
    });
    const viaKafka = producer(ctx, {
      stream: 'orders',
      inlets: {
        'orders-kafka': async (m) => {
          const [meta] = await kafka.producer.send({ topic: ORDERS_TOPIC, acks: -1, messages: [{ key: m.key, value: m.body, headers: { 'message-id': m.key } }] });
          return meta ? { partition: meta.partition, offset: String(meta.baseOffset ?? '-1') } : {};
        },
      },
    });

    const api = await ctx.downstream({ name: 'fulfillment-api', keyField: 'orderId', latencyMs: o.apiLatencyMs, jitterMs: o.apiJitterMs, okBody: { shipmentId: 'SHP-{key}' } });
    // The warehouse ships one order at a time: a call waits for the one before it to be
    // answered. However many orders a program takes at once, a backlog of n orders takes n
    // calls' time, so it is still in RabbitMQ (or in the program's hands) when the flag flips.
    /** The order whose call has the warehouse now (or waits for the kill in it). */
    let serving: string | undefined;
    const takeTurn = async (key: string) => {
      while (serving !== undefined && serving !== key && !ctx.signal.aborted) await sleep(2);
      serving = key;
    };
    api.service.onCall(async (call) => {
      await takeTurn(call.key);
      return 'continue';
    });
    const release = ctx.history.subscribe((op) => {
      if (op.kind === 'call' && op.stream === 'fulfillment-api') serving = undefined;
    });
    ctx.defer(release);
    // The kill's victim (kill-learner `victimIf`): a call that has the warehouse to itself, a
    // moment after the previous shipment was answered. A kill right after an answer would
    // catch a correct program between the shipment and its mark: shipped twice, by chance.
    ctx.registerProbe('own-turn', async (key) => {
      await takeTurn(key);
      await sleep(SETTLE_BEFORE_KILL_MS);
      return true;
    });
    // The second kill's victim: an order of the cut-over backlog, after the flip, once a few of
    // the backlog are shipped: the restarted program finds the flag saying kafka and orders
    // still in ORDERS_QUEUE (one that goes straight to Kafka on a restart leaves them there).
    const backlogIds = new Set<string>();
    // Only during the cut-over's own drain: a kill later would hand a program that left the
    // backlog behind a restart that drains it after all.
    ctx.registerProbe('backlog-turn', async (key) => {
      // And only once the flag has said kafka for a while: a program that switches on the flag
      // has stopped taking backlog by then, and a restart must not hand it a second drain.
      if (flippedAt === undefined || ctx.history.now() - flippedAt < FLAG_SEEN_MS || phase !== 'cutover' || !backlogIds.has(key)) return false;
      const done = shipped();
      if ([...backlogIds].filter((id) => done.has(id)).length < BACKLOG_SHIPPED_BEFORE_KILL) return false;
      await takeTurn(key);
      await sleep(SETTLE_BEFORE_KILL_MS);
      return true;
    });
    // The third kill's victim: a Kafka order of the cut-over, once the program is back from the
    // second kill: a commit before the shipment (or of what was only fetched) skips it at
    // restart. Only those orders: a program that starts at the end of the topic never ships
    // them, and keeps its own diagnosis.
    const cutoverKafkaIds = new Set<string>();
    ctx.registerProbe('kafka-turn', async (key) => {
      if (!cutoverKafkaIds.has(key) || kills() < 2 || heals() < 2) return false;
      await takeTurn(key);
      await sleep(SETTLE_BEFORE_KILL_MS);
      return true;
    });
    ctx.registerProbe('committed-past', (key) => kafka.committedPast(GROUP_ID, ORDERS_TOPIC, key));

    // What the program remembers as shipped, scanned now and then under KEY_PREFIX: an order
    // marked and never shipped was marked before its shipment (no-lost-messages names it).
    const KEY_PREFIX = `${redis.namespace}:`;
    const marked = new Map<string, number>();
    let keysScanned = 0;
    const scan = async () => {
      const startedAt = ctx.history.now();
      const found = await scanMarks(redis.client, `${KEY_PREFIX}*`, () => false, ORDER_ID);
      for (const id of found.marked) if (!marked.has(id)) marked.set(id, startedAt);
      keysScanned = found.keys;
    };
    const stopScanning = every(500, ctx.signal, scan);
    ctx.defer(stopScanning);

    const random = ctx.random('orders');
    let count = 0;
    let onRabbit = 0;
    const bodies = new Map<string, object>();
    const newOrder = () => {
      const orderId = messageId('order', ++count);
      const body = { orderId, customer: `customer-${String(random.int(1, 30)).padStart(2, '0')}`, items: random.int(1, 5), totalCents: random.int(500, 49_999) };
      bodies.set(orderId, body);
      return { orderId, body };
    };
    const sendRabbit = async (n: number, phase: string, into?: Set<string>): Promise<string[]> => {
      const ids: string[] = [];
      const sends: Promise<boolean>[] = [];
      for (let i = 0; i < n; i++) {
        const { orderId, body } = newOrder();
        ids.push(orderId);
        into?.add(orderId);
        onRabbit++;
        sends.push(viaRabbit.send(orderId, body, { tags: ['rabbitmq'], record: { phase, broker: 'rabbitmq' } }));
      }
      await Promise.all(sends);
      return ids;
    };
    const sendKafka = async (n: number, phase: string, into?: Set<string>): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const { orderId, body } = newOrder();
        ids.push(orderId);
        into?.add(orderId);
        await viaKafka.send(orderId, body, { tags: ['kafka'], record: { phase, broker: 'kafka' } });
      }
      return ids;
    };
    /** An order published again on Kafka, as a producer writing to both brokers did. */
    const copyToKafka = (orderId: string) => viaKafka.send(orderId, bodies.get(orderId) ?? {}, { tags: ['kafka', 'overlap', 'same-message-id'], record: { phase: 'overlap', broker: 'kafka', copyOf: orderId } });

    const shipped = () => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.stream === 'fulfillment-api' && op.outcome === 'ok').map((op) => op.key));
    const calls = () => ctx.history.history.filter((op) => op.kind === 'call' && op.stream === 'fulfillment-api').length;
    const queueState = async () => (await rabbit.probeQueue(ORDERS_QUEUE)) ?? { messageCount: 0, consumerCount: 0 };
    const progress = async () => {
      const q = await queueState();
      return `${calls()}|${q.messageCount}|${q.consumerCount}`;
    };
    const allShipped = (ids: readonly string[]) => () => {
      const done = shipped();
      return ids.every((id) => done.has(id));
    };
    const allCommitted = async () => {
      const { offsets, endOffsets } = await kafka.committedOffsets(GROUP_ID, ORDERS_TOPIC);
      return Object.entries(endOffsets).every(([p, end]) => (offsets[p] ?? -1) >= end);
    };
    const faultOps = () => ctx.history.history.filter((op) => op.kind === 'fault').map((op) => (op.value ?? {}) as { phase?: string; signal?: string; restarted?: boolean });
    const kills = () => faultOps().filter((v) => v.signal === 'SIGKILL').length;
    const heals = () => faultOps().filter((v) => v.phase === 'heal' && v.restarted === true).length;
    const killed = () => kills() > 0;

    return {
      env: {
        AMQP_URL: rabbit.url,
        ORDERS_QUEUE,
        ...kafka.env(),
        ORDERS_TOPIC,
        GROUP_ID,
        REDIS_URL: redis.url,
        KEY_PREFIX,
        FULFILLMENT_API_URL: api.url,
        MIGRATION_FILE,
      },
      async awaitReady() {
        await awaitConsumers(ctx, rabbit, {
          name: 'ORDERS_QUEUE',
          physical: ORDERS_QUEUE,
          count: 1,
          hint: 'Before the cut-over the orders come on RabbitMQ: start consuming ORDERS_QUEUE right after connecting to AMQP_URL.',
        });
      },
      async run() {
        await ctx.phase('rabbitmq');
        ctx.progress(`phase 1: ${o.rabbitOrders + o.beforeKillOrders} orders on RabbitMQ; your program will be killed mid-order and restarted`);
        const first = await sendRabbit(o.rabbitOrders, 'rabbitmq');
        await drain(ctx, { done: allShipped(first), progress, quietMs: o.quietMs });
        const second = await sendRabbit(o.beforeKillOrders, 'rabbitmq');
        await waitUntil(killed, ctx.timeouts.drainMs, ctx.signal, 50);
        await ctx.faultsSettled();
        await waitUntil(async () => !ctx.learners.processes.every((p) => p.running) || (await queueState()).consumerCount >= 1, ctx.timeouts.readyMs, ctx.signal, 100);
        await drain(ctx, { done: allShipped(second), progress, quietMs: o.quietMs });

        await ctx.phase('cutover');
        phase = 'cutover';
        ctx.progress(`phase 2: ${o.cutoverBacklog} orders on RabbitMQ, then the cut-over: MIGRATION_FILE says kafka, and ${o.kafkaOrders} orders come on Kafka`);
        const backlog = await sendRabbit(o.cutoverBacklog, 'cutover', backlogIds);
        await setFlag({ producers: 'kafka' });
        const onKafka = await sendKafka(o.kafkaOrders, 'cutover', cutoverKafkaIds);
        await drain(ctx, { done: allShipped([...backlog, ...onKafka]), progress, quietMs: o.quietMs });

        await ctx.phase('overlap');
        phase = 'overlap';
        ctx.progress(`phase 3: ${o.overlapEarly + o.overlapLate} orders already shipped come again on Kafka, and ${o.laterOrders} new ones`);
        // The new ones first, shipped after the last restart: copies of some of them then come
        // with no restart in between (a program that does not dedupe at all ships them twice;
        // one that dedupes in memory skips them, and ships the early copies twice).
        const later = await sendKafka(o.laterOrders, 'overlap');
        await drain(ctx, { done: allShipped(later), progress, quietMs: o.quietMs });
        for (const orderId of [...first.slice(-o.overlapEarly), ...later.slice(-o.overlapLate)]) await copyToKafka(orderId);
        await drain(ctx, { done: async () => allShipped(later)() && (await allCommitted()), progress, quietMs: o.quietMs });
      },
      async collect() {
        await rabbit.recordLeftAfterStop('ORDERS_QUEUE', ORDERS_QUEUE, onRabbit);
        recordObservation(ctx.history, 'kafka-committed-offsets', await kafka.committedOffsets(GROUP_ID, ORDERS_TOPIC));
        await scan();
        // Marks written outside KEY_PREFIX are invisible to the scans above and outlive the
        // run's cleanup (which deletes KEY_PREFIX*): find them by this run's order ids (random
        // per run, so a key naming one is this run's), report them, and delete them.
        const outside = (await keysMatching(redis.client, '*order-[0-9][0-9][0-9][0-9]-*')).filter((key) => !key.startsWith(KEY_PREFIX) && (key.match(ORDER_ID) ?? []).some((id) => bodies.has(id)));
        if (outside.length > 0) await redis.client.unlink(...outside);
        recordObservation(ctx.history, 'processed-marks', { marked: [...marked.keys()].sort(), markedAt: Object.fromEntries(marked), keys: keysScanned, outside: { count: outside.length, keys: outside.slice(0, 3) } });
      },
    };
  },
};
