/**
 * Week 6, high availability: a quorum queue on the 3-node RabbitMQ cluster loses no
 * acknowledged order when the node leading it dies.
 *
 * The learner's program is one process: an HTTP service and a consumer of the same queue.
 * At start it declares ORDERS_QUEUE (durable, a quorum queue) in the run's vhost through one
 * of the three nodes in RABBITMQ_URLS; the lab POSTs it orders one at a time and it answers
 * 200 only once RabbitMQ confirmed the publish (5xx otherwise); it consumes the queue and,
 * for each order, calls the lab's fulfilment service (FULFILMENT_URL), acking only after a
 * 200 (the service refuses the first call of every `flakyEvery`-th order with a 503).
 *
 * The schedule opens each mistake's window every run:
 * - once ready: the lab reads the queue's type, and (once the management API's statistics
 *   list the consumer, usually within a few seconds) the consumer's ack mode.
 *   A classic queue fails its check; the run then posts orders and ends without node faults
 *   (a classic queue on a dead node is gone until it is back: nothing the failover teaches).
 * - warm-up: orders one after another; the scenario SIGKILLs the program in the middle of a
 *   fulfilment call (kill-learner, the call held until a later one is answered) and starts
 *   it again. A consumer that acked the order before the call (or consumes with noAck) has
 *   lost it: RabbitMQ gives back only what was not acked. The warm-up lasts at least
 *   `warmupMs`, and until the restarted program answered `restartedAnswers` orders 200
 *   (at most `warmupMaxMs`).
 * - phase "pause": the scenario SIGSTOPs the node leading the queue for pauseMs. Nothing can
 *   be confirmed while it stands still (a quorum queue confirms once a majority, leader
 *   included, has the message), and the other nodes do not see it gone before net_ticktime
 *   (10 s). The lab keeps posting: a program that waits for its confirms answers none of the
 *   orders sent then, one that does not answers them all.
 * - phase "kill", once the node woke: the scenario SIGKILLs it (still the leader: nobody saw
 *   it gone) and starts it again. The other two elect a new leader at once; a program
 *   connected to the dead node must reconnect to another one of RABBITMQ_URLS. Waking it
 *   first lets it answer what waited on it: killed in its sleep, it left the channels of
 *   the other nodes waiting on it for 13 to over 30 s (their publishes unconfirmed, their
 *   consumers given nothing), far longer than a failover takes. The lab keeps posting until afterKillMs
 *   after the kill and until `tailAnswers` orders sent after it were answered 200, or, when
 *   none is, for `failoverWaitMs` (longer than the check's limit, so a program that never
 *   comes back is seen as such every run).
 * Then the lab waits for the last answer, for the fulfilment calls to settle (every order
 * answered 200 fulfilled, or nothing moving for quietMs once settleMs have passed since the
 * kill: a consumer on a surviving node may be given nothing for ~13 s after the leader
 * died), and the killed node to be back, stops the program and takes what is left in the queue.
 *
 * History: each order posted is a `produce` (stream "orders", key: its orderId; value: the
 * order, tags ["flaky"] for the orders whose first call fails, sentAt), its answer an
 * `observe` (stream "answers", key: the orderId; outcome ok for a 2xx, fail for another
 * status, info for no answer; value: status, answeredAt, error), the queue an `observe`
 * (stream "queue": exists, type, durable), its consumer an `observe` (stream "consumer":
 * consumers, ackRequired), each fulfilment call a `call`
 * (stream "fulfilment-api", recorded by the downstream), each message left in the queue at
 * the end a `consume` (stream "left", key: the orderId in its body).
 */
import type { ChannelModel } from 'amqplib';
import { drain } from './blocks/drain.js';
import { answersHealth, freePort } from './blocks/learner-http.js';
import { openRabbit } from './blocks/rabbitmq.js';
import { managementApi } from '../namespaces/rabbitmq.js';
import { defaults } from './options/rabbitmq-quorum-ha.js';
import { type Workload, type WorkloadContext, LearnerNotReadyError, intOptions, jsonObject, messageId, sleep, waitUntil, withDeadline } from './types.js';

export type QuorumHaOptions = { -readonly [K in keyof typeof defaults]: number };

/** An order as the lab posts it (the README's format). */
interface Order {
  orderId: string;
  customerId: string;
  items: Array<{ sku: string; quantity: number }>;
  totalCents: number;
}

/** The cluster's management API, as the lab's RabbitMQ block reaches it. */
function rabbitEndpointOf(ctx: WorkloadContext): { managementUrl: string; username: string; password: string } {
  const cluster = ctx.endpoints['rabbitmq-cluster'];
  if (!cluster) throw new Error('rabbitmq-cluster endpoint missing');
  return cluster;
}

/** The downstream's name: the history stream of the fulfilment calls. */
export const FULFILMENT_SERVICE = 'fulfilment-api';

export const rabbitmqQuorumHa: Workload<QuorumHaOptions> = {
  name: 'rabbitmq-quorum-ha',
  parseOptions: (raw) => ({ ...intOptions(raw, defaults) }),

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx, { broker: 'rabbitmq-cluster' });
    // The program declares it: its type is part of the exercise.
    const queue = rabbit.name('orders');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const random = ctx.random('orders');
    const fulfilment = await ctx.downstream({
      name: FULFILMENT_SERVICE,
      keyField: 'orderId',
      latencyMs: o.latencyMs,
      jitterMs: o.jitterMs,
      failures: { flaky: 'first-503' },
      okBody: { shipment: 'shipments/{key}' },
    });

    let sent = 0;
    /** Answers 200, and those to orders sent after a given moment (the kill). */
    let okAnswers = 0;
    const acknowledged = new Set<string>();
    const fulfilled = new Set<string>();
    ctx.history.subscribe((op) => {
      if (op.kind === 'call' && op.stream === FULFILMENT_SERVICE && op.outcome === 'ok' && op.key !== undefined) fulfilled.add(op.key);
    });

    /** Posts one order and records it and its answer; resolves true for a 200. */
    const post = async (): Promise<{ ok: boolean; sentAt: number }> => {
      const n = ++sent;
      const order: Order = {
        orderId: messageId('order', n),
        customerId: `customer-${String(random.int(1, 40)).padStart(2, '0')}`,
        items: [{ sku: `sku-${random.int(100, 999)}`, quantity: random.int(1, 3) }],
        totalCents: random.int(500, 90_000),
      };
      const tags = n % o.flakyEvery === 0 ? ['flaky'] : [];
      const sentAt = Date.now();
      // Recorded before the POST: the fulfilment service must know the order (and its tags)
      // when the program calls it, which may be before the answer arrives.
      ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: 'orders', key: order.orderId, value: { ...order, tags, sentAt } });
      const record = (outcome: 'ok' | 'fail' | 'info', value: Record<string, unknown>) =>
        ctx.history.record({ process: 'lab', kind: 'observe', outcome, stream: 'answers', key: order.orderId, value: { sentAt, answeredAt: Date.now(), ...value } });
      try {
        const { response, body } = await withDeadline(ctx.signal, o.answerTimeoutMs, async (signal) => {
          const response = await fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order), signal });
          return { response, body: (await response.text()).slice(0, 200) };
        });
        record(response.ok ? 'ok' : 'fail', { status: response.status, ...(response.ok ? {} : { body }) });
        if (response.ok) {
          okAnswers++;
          acknowledged.add(order.orderId);
        }
        return { ok: response.ok, sentAt };
      } catch (error) {
        record('info', { error: (error as Error).name === 'TimeoutError' ? `no answer within ${o.answerTimeoutMs / 1000} s` : `no answer (${(error as Error).message})` });
        return { ok: false, sentAt };
      }
    };

    const healthy = () => answersHealth(url);

    /** The queue as the management API describes it. */
    const readQueue = async () => {
      const { status, json } = await rabbit.api('GET', `/queues/${encodeURIComponent(rabbit.vhost)}/${encodeURIComponent(queue)}`);
      const q = (json ?? {}) as { type?: string; durable?: boolean };
      return { exists: status === 200, type: q.type ?? 'classic', durable: q.durable === true };
    };

    return {
      env: {
        RABBITMQ_URLS: rabbit.urls.join(','),
        ORDERS_QUEUE: queue,
        FULFILMENT_URL: `${fulfilment.url}/fulfil`,
        PORT: String(port),
      },
      async awaitReady() {
        if (!(await waitUntil(healthy, ctx.timeouts.readyMs, ctx.signal, 200))) {
          throw new LearnerNotReadyError(
            `your program did not answer GET ${url}/health with 200 within ${ctx.timeouts.readyMs / 1000}s`,
            'Declare the queue in ORDERS_QUEUE (durable, x-queue-type quorum), start consuming it, then listen for HTTP on the port in PORT and answer GET /health with 200.',
          );
        }
        // The consumer's ack mode is read from the broker: wait (briefly) until it consumes.
        await waitUntil(async () => ((await rabbit.probeQueue(queue))?.consumerCount ?? 0) > 0, 5_000, ctx.signal, 100);
      },
      async run() {
        const found = await readQueue();
        ctx.history.record({ process: 'lab', kind: 'observe', outcome: found.exists ? 'ok' : 'fail', stream: 'queue', key: 'ORDERS_QUEUE', value: { queue, ...found } });
        const quorum = found.exists && found.type === 'quorum';
        // The consumer's ack mode (noAck or not), once the management API lists it: its
        // statistics come every second or so, now and then only after many (a stopped node's
        // queue may not report until its leader moved). Asked until known, all run long; the
        // warm-up waits for it a while (while a node stands still its API may not answer).
        let consumerKnown = false;
        let asking = true;
        ctx.defer(() => {
          asking = false;
        });
        const consumersApi = managementApi(rabbitEndpointOf(ctx), { timeoutMs: 2_000 });
        void (async () => {
          while (asking && !ctx.signal.aborted) {
            const { json } = await consumersApi('GET', `/consumers/${encodeURIComponent(rabbit.vhost)}`).catch(() => ({ json: undefined }));
            const mine = (Array.isArray(json) ? (json as Array<{ ack_required?: boolean; queue?: { name?: string } }>) : []).filter((c) => c.queue?.name === queue);
            if (mine.length > 0) {
              ctx.history.record({ process: 'lab', kind: 'observe', outcome: 'ok', stream: 'consumer', key: 'ORDERS_QUEUE', value: { consumers: mine.length, ackRequired: mine.every((c) => c.ack_required !== false) } });
              consumerKnown = true;
              return;
            }
            await sleep(250, ctx.signal).catch(() => {});
          }
        })();

        // Orders one after another, in the background, until told to stop.
        let stop = false;
        let okSinceKill = 0;
        let killedAtMs: number | undefined;
        const sender = (async () => {
          while (!stop && !ctx.signal.aborted) {
            const { ok, sentAt } = await post();
            if (ok && killedAtMs !== undefined && sentAt > killedAtMs) okSinceKill++;
            await sleep(o.gapMs, ctx.signal);
          }
        })();
        const finish = async () => {
          stop = true;
          await sender;
        };

        /** Answers 200 when the killed program was started again (undefined before). */
        let okAtRestart: number | undefined;
        let pausedAt: number | undefined;
        let wokeAt: number | undefined;
        ctx.onFault((op) => {
          const v = op.value;
          if (v.fault === 'kill-learner' && v.phase === 'heal') okAtRestart = okAnswers;
          if (v.fault === 'pause-broker-node' && v.phase === 'start') pausedAt = Date.now();
          if (v.fault === 'pause-broker-node' && v.phase === 'heal') wokeAt = Date.now();
          if (v.fault === 'kill-broker-node' && v.phase === 'start') killedAtMs = Date.now();
        });

        // Warm-up: the program is killed mid-call and restarted; then a few answers again.
        const warmupStart = Date.now();
        await waitUntil(
          async () => (consumerKnown || Date.now() - warmupStart >= o.consumerWaitMs) && Date.now() - warmupStart >= o.warmupMs && okAtRestart !== undefined && okAnswers - okAtRestart >= o.restartedAnswers,
          o.warmupMaxMs,
          ctx.signal,
          20,
        );

        if (!quorum) {
          ctx.progress(`the queue ${queue} is ${found.exists ? `a ${found.type} queue` : 'missing'}; no node faults this run`);
          await finish();
        } else {
          ctx.progress('posting orders; the lab will stop the node leading the queue, then kill it');
          await ctx.phase('pause');
          if (!(await waitUntil(async () => pausedAt !== undefined, 10_000, ctx.signal, 5))) throw new Error('the lab could not pause the node leading the queue within 10 s');
          // Evidence, while it stands still (pauseMs): the program answered 200 for orders
          // RabbitMQ could not confirm. Then it wakes, answers what waited on it, and dies.
          if (!(await waitUntil(async () => wokeAt !== undefined, o.pauseMs + 10_000, ctx.signal, 5))) throw new Error('the node leading the queue did not wake from its pause');
          ctx.progress('killing the node leading the queue');
          void ctx.phase('kill');
          if (!(await waitUntil(async () => killedAtMs !== undefined, 10_000, ctx.signal, 5))) throw new Error('the lab could not kill the node leading the queue within 10 s');
          const killedAt = killedAtMs as number;
          // Orders keep coming through the failover: a few answered 200 after it, or none for
          // failoverWaitMs (a program that never came back).
          await waitUntil(
            async () => (Date.now() - killedAt >= o.afterKillMs && okSinceKill >= o.tailAnswers) || (okSinceKill === 0 && Date.now() - killedAt >= o.failoverWaitMs),
            o.failoverWaitMs + o.answerTimeoutMs,
            ctx.signal,
            50,
          );
          await finish();
        }

        // Every acknowledged order fulfilled, or nothing moving any more (the killed node's
        // restart counts as activity: drain does not call a run quiet while a fault is active).
        // A consumer on a surviving node may get nothing for ~13 s after the leader died
        // (RabbitMQ's own recovery, measured): until settleMs after the kill, standing still
        // is not quiet.
        const settledAt = killedAtMs === undefined ? 0 : killedAtMs + o.settleMs;
        await drain(ctx, {
          done: () => [...acknowledged].every((id) => fulfilled.has(id)),
          progress: () => (Date.now() < settledAt ? `settling ${Date.now()}` : `${fulfilled.size}`),
          quietMs: o.quietMs,
          timeoutMs: Math.max(ctx.timeouts.drainMs, settledAt - Date.now() + o.quietMs + 5_000),
          intervalMs: 100,
        });
      },
      async collect() {
        // The program has stopped, and RabbitMQ gave back what its consumer held. The lab's own
        // connection went to node 1, which may have been the node killed: a fresh one, to
        // whichever node answers.
        const amqp = (await import('amqplib')).default;
        let connection: ChannelModel | undefined;
        for (const nodeUrl of rabbit.urls) {
          connection = await amqp.connect(nodeUrl).catch(() => undefined);
          if (connection) break;
        }
        if (!connection) return;
        connection.on('error', () => {});
        try {
          const channel = await connection.createChannel();
          channel.on('error', () => {});
          // Let RabbitMQ put back what the stopped consumer had not acked.
          const deadline = Date.now() + 5_000;
          while (Date.now() < deadline && ((await channel.checkQueue(queue).catch(() => undefined))?.consumerCount ?? 0) > 0) await sleep(100, ctx.signal);
          for (;;) {
            const message = await channel.get(queue, { noAck: true }).catch(() => false as const);
            if (message === false) break;
            const text = message.content.toString('utf8');
            const body = jsonObject(text);
            const orderId = typeof body?.orderId === 'string' ? body.orderId : undefined;
            ctx.history.record({ process: 'lab', kind: 'consume', outcome: 'ok', stream: 'left', ...(orderId === undefined ? {} : { key: orderId }), value: orderId === undefined ? { raw: text.slice(0, 200) } : { redelivered: message.fields.redelivered } });
          }
          await channel.close().catch(() => {});
        } finally {
          await connection.close().catch(() => {});
        }
      },
    };
  },
};
