/**
 * Week 8, load test: an order pipeline that must keep up with 1000 orders a second.
 *
 * Orders arrive on ORDER_QUEUE at a steady rate; the learner's program tells the lab's
 * order-status service (STATUS_API_URL) that each one is accepted, in calls of 1 to
 * `maxBatch` order ids, and acks them. The service has `serviceWorkers` workers; a call takes
 * one for `serviceLatencyMs` plus `perOrderUs` per order in it (calls beyond the workers wait
 * for one): one order per call, one call at a time, cannot go faster than about 1 / latency.
 *
 * The load, in phases (each a `phase` operation, and recorded in the plan `load-plan` first):
 * "warmup" (from `warmupRate` rising evenly to `rate` over half of `warmupMs`, then at `rate`:
 * connections open, code warm, pools grown to the rate's size; not judged), "sustain"
 * (`rate` for `sustainMs`: judged by sustains-rate and latency-under-load), then one step per
 * rate of `steps` for `stepMs` each, to find the knee (shown in the report, not judged), then
 * "drain". A few warm-up orders are "flaky": the first call carrying one fails (503, after
 * `flakyDelayMs`), so a program that acks before its call answered shows it every run. Orders
 * are published on a clock (the lab catches up when a timer fires late, so
 * the offered rate holds), each recorded the moment it is published, with its phase.
 *
 * The lab cuts a phase short once its verdict is known, so a program that cannot keep up gets
 * its verdict in seconds, not after the whole load: in "sustain", once more orders of the
 * phase are unpacked and older than the bound than 1 % of the phase's planned orders (its p99
 * can no longer be within the bound); in a step, once the orders waiting exceed a second of
 * the step's rate (it has fallen behind: the steps above are not offered).
 *
 * After the drain, "last-orders": up to LAST_ORDERS orders one at a time, each waited for,
 * until one is not accepted within LAST_ORDER_WAIT_MS (a batch that waits to be full).
 *
 * Every call is recorded per order (`call`, stream "status-api", key the order id) with its
 * call's number, size and arrival: the orders in calls at once are known from it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfirmChannel } from 'amqplib';
import { recordObservation } from '../runner/observations.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { awaitConsumers, openRabbit } from './blocks/rabbitmq.js';
import { type Workload, type WorkloadContext, intOptions, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/load-test.js';

export interface LoadTestOptions {
  /** Orders per second to sustain (judged), for `sustainMs`. */
  rate: number;
  sustainMs: number;
  /** The warm-up's rate at its start: it rises evenly to `rate` over half the warm-up. */
  warmupRate: number;
  warmupMs: number;
  /** Higher rates, each offered for `stepMs`, to find where the program stops keeping up. */
  steps: number[];
  stepMs: number;
  /** The p99 latency bound (README, checks). */
  boundMs: number;
  serviceLatencyMs: number;
  perOrderUs: number;
  serviceWorkers: number;
  maxBatch: number;
  /** Warm-up orders whose first call fails: the service answers it 503 after
   *  `flakyDelayMs` (tag "flaky"). A program that acks before the call answered (auto-ack,
   *  an ack on arrival, a multiple ack covering a batch still in flight) loses them, or
   *  crashes nacking what it already acked. */
  flakyOrders: number;
  flakyDelayMs: number;
  quietMs: number;
}

/** How often the publisher wakes up to send what is due. */
const TICK_MS = 5;
/** How often the lab looks whether a phase's verdict is already known. */
const LOOK_MS = 250;
/** How long the lab waits for the backlog after it cut the judged phase short. */
const CUT_DRAIN_MS = 2_000;
/** At the end, up to this many orders one at a time, each waited for up to LAST_ORDER_WAIT_MS. */
const LAST_ORDERS = 3;
const LAST_ORDER_WAIT_MS = 1_000;
/** After the last order was accepted, time for the program's acks to reach RabbitMQ before
 *  it is stopped (all-acked counts what is left unacknowledged). */
const ACK_SETTLE_MS = 300;

function intList(raw: Record<string, unknown>, field: string, fallback: readonly number[]): number[] {
  const v = raw[field] ?? fallback;
  if (!Array.isArray(v) || !v.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)) throw new Error(`"${field}" must be a list of whole numbers > 0`);
  return [...v] as number[];
}

/** The order-status service: calls of 1..maxBatch ids, answered by a pool of workers. */
async function statusService(
  ctx: Pick<WorkloadContext, 'history' | 'defer'>,
  o: LoadTestOptions,
  sentOrder: (id: string) => boolean,
  flaky: ReadonlySet<string>,
  onAccepted: (ids: readonly string[]) => void,
): Promise<string> {
  let requests = 0;
  const attempts = new Map<string, number>();
  const attempt = (key: string) => {
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    return n;
  };
  let busy = 0;
  const waiting: Array<() => void> = [];
  const worker = async (ms: number) => {
    if (busy >= o.serviceWorkers) await new Promise<void>((resolve) => waiting.push(resolve));
    else busy += 1;
    await sleep(ms);
    const next = waiting.shift();
    if (next) next();
    else busy -= 1;
  };
  const refuse = (res: ServerResponse, request: number, arrivedAt: number, reason: string, ids: readonly string[]) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: reason }));
    // One record per refused call, under its first id: a program that sends the same bad call
    // again and again would otherwise write a hundred records a call.
    const [key] = ids;
    ctx.history.record({ process: 'downstream', kind: 'call', outcome: 'fail', stream: 'status-api', ...(key === undefined ? {} : { key }), value: { instance: 1, arrivedAt, status: 400, rejected: reason, request, batch: ids.length } });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const arrivedAt = ctx.history.now();
    const request = ++requests;
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    if (req.method !== 'POST') return refuse(res, request, arrivedAt, `expected a POST, got ${req.method ?? '?'}`, []);
    let body: { status?: unknown; orderIds?: unknown };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return refuse(res, request, arrivedAt, `the body is not JSON: ${raw.slice(0, 80)}`, []);
    }
    const ids = Array.isArray(body?.orderIds) && body.orderIds.every((id) => typeof id === 'string') ? (body.orderIds as string[]) : undefined;
    if (!ids || ids.length === 0) return refuse(res, request, arrivedAt, `"orderIds" must be a list of 1 to ${o.maxBatch} order ids (got ${JSON.stringify(body?.orderIds ?? null).slice(0, 80)})`, []);
    if (body.status !== 'accepted') return refuse(res, request, arrivedAt, `"status" must be "accepted" (got ${JSON.stringify(body.status ?? null)})`, ids);
    if (ids.length > o.maxBatch) return refuse(res, request, arrivedAt, `at most ${o.maxBatch} order ids per call (got ${ids.length})`, ids);
    const unknown = ids.find((id) => !sentOrder(id));
    if (unknown !== undefined) return refuse(res, request, arrivedAt, `"${unknown.slice(0, 40)}" is not an order the lab sent: send each order's own orderId`, ids);
    if (ids.some((id) => flaky.has(id) && !attempts.has(id))) {
      // Busy: the whole call fails, slowly, so later calls may be answered before it.
      await sleep(o.flakyDelayMs);
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'busy, try again' }));
      for (const key of ids) ctx.history.record({ process: 'downstream', kind: 'call', outcome: 'fail', stream: 'status-api', key, attempt: attempt(key), value: { instance: 1, arrivedAt, status: 503, request, batch: ids.length } });
      return;
    }
    await worker(o.serviceLatencyMs + (ids.length * o.perOrderUs) / 1000);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accepted: ids.length }));
    for (const key of ids) ctx.history.record({ process: 'downstream', kind: 'call', outcome: 'ok', stream: 'status-api', key, attempt: attempt(key), value: { instance: 1, arrivedAt, status: 200, request, batch: ids.length } });
    onAccepted(ids);
  };
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ctx.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export const loadTest: Workload<LoadTestOptions> = {
  name: 'load-test',
  parseOptions: (raw) => ({
    ...intOptions(raw, defaults),
    steps: intList(raw, 'steps', defaults.steps),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const ORDER_QUEUE = rabbit.name('orders');
    const setup = await rabbit.connection.createChannel();
    await setup.assertQueue(ORDER_QUEUE, { durable: true });
    await setup.close();

    // Its own confirm channel: at thousands a second, a publish waits for its confirm through
    // the callback alone (the channel's close fails every pending one).
    const channel: ConfirmChannel = await rabbit.connection.createConfirmChannel();
    channel.on('error', () => {});
    const orders = producer(ctx, {
      stream: 'orders',
      inlets: {
        orders: (m) =>
          new Promise<void>((resolve, reject) => {
            channel.sendToQueue(ORDER_QUEUE, m.body, { messageId: m.key, contentType: 'application/json', persistent: false }, (err: unknown) => (err ? reject(err) : resolve()));
          }),
      },
    });

    const sent = new Set<string>();
    const packed = new Set<string>();
    const flaky = new Set<string>();
    // The flaky orders spread over the warm-up, none of them first.
    const warmupOrders = Math.floor((((o.warmupRate + 3 * o.rate) / 4) * o.warmupMs) / 1000);
    const flakyAt = new Set(Array.from({ length: o.flakyOrders }, (_, k) => Math.floor(((k + 1) * warmupOrders) / (o.flakyOrders + 1))));
    const statusUrl = await statusService(ctx, o, (id) => sent.has(id), flaky, (ids) => {
      for (const id of ids) packed.add(id);
    });

    /** The orders of the current phase, in the order sent, with when. */
    let phaseOrders: Array<{ id: string; at: number }> = [];
    let count = 0;
    const pending = new Set<Promise<boolean>>();
    const publishOne = (phase: string): string => {
      const i = ++count;
      const orderId = messageId('order', i);
      sent.add(orderId);
      const tags = phase === 'warmup' && flakyAt.has(i) ? ['flaky'] : [];
      if (tags.length > 0) flaky.add(orderId);
      phaseOrders.push({ id: orderId, at: Date.now() });
      const order = { orderId, customer: `customer-${(i * 7919) % 5000}`, totalCents: ((i * 37) % 9000) + 100 };
      const sending = orders.send(orderId, order, { recordFirst: true, record: { phase }, tags });
      pending.add(sending);
      void sending.finally(() => pending.delete(sending));
      return orderId;
    };

    /** Offers `rate` orders a second for `ms`, until `enough()` says the verdict is known. */
    /** Offers orders for `ms` at `rate` a second (or first rising evenly from `fromRate` to it
     *  over half of `ms`, then at `rate`), until `enough()` says the verdict is known. */
    const offer = async (phase: string, rate: number, ms: number, enough: () => boolean, fromRate = rate): Promise<'done' | 'cut'> => {
      await ctx.phase(phase);
      phaseOrders = [];
      const start = Date.now();
      let sentHere = 0;
      let lookedAt = start;
      while (!ctx.signal.aborted) {
        const elapsed = Date.now() - start;
        if (elapsed >= ms) return 'done';
        // Orders due by now: the integral of the rate, rising linearly over the first half.
        const half = ms / 2;
        const rising = Math.min(elapsed, half);
        const due = Math.floor((fromRate * rising + ((rate - fromRate) * rising * rising) / (2 * half) + rate * Math.max(0, elapsed - half)) / 1000);
        for (; sentHere < due; sentHere += 1) publishOne(phase);
        if (Date.now() - lookedAt >= LOOK_MS) {
          lookedAt = Date.now();
          if (enough()) return 'cut';
        }
        await sleep(TICK_MS);
      }
      return 'cut';
    };
    const unpackedOlderThan = (ms: number) => {
      const before = Date.now() - ms;
      let n = 0;
      for (const order of phaseOrders) {
        if (order.at > before) break;
        if (!packed.has(order.id)) n += 1;
      }
      return n;
    };

    const phases = [
      { name: 'warmup', rate: Math.round((o.warmupRate + 3 * o.rate) / 4), plannedMs: o.warmupMs },
      { name: 'sustain', rate: o.rate, plannedMs: o.sustainMs },
      ...o.steps.map((rate) => ({ name: `step-${rate}`, rate, plannedMs: o.stepMs })),
    ];

    return {
      env: { AMQP_URL: rabbit.url, ORDER_QUEUE, STATUS_API_URL: statusUrl },
      async awaitReady() {
        await awaitConsumers(ctx, rabbit, { name: 'ORDER_QUEUE', physical: ORDER_QUEUE, count: ctx.instances, hint: 'Your program must start consuming ORDER_QUEUE right after connecting to AMQP_URL.' });
      },
      async run() {
        recordObservation(ctx.history, 'load-plan', { rate: o.rate, boundMs: o.boundMs, sentStream: 'orders', doneStream: 'status-api', phases });
        ctx.progress(`warm-up: from ${o.warmupRate} to ${o.rate} orders/s over ${o.warmupMs / 2000} s, then ${o.rate}/s for as long`);
        await offer('warmup', o.rate, o.warmupMs, () => false, o.warmupRate);
        ctx.progress(`${o.rate} orders/s for ${o.sustainMs / 1000} s: keep up, with p99 under ${o.boundMs} ms`);
        // Past this many orders late, the phase's p99 is over the bound whatever comes next.
        const allowedLate = Math.floor((o.rate * o.sustainMs) / 1000 / 100);
        const sustained = await offer('sustain', o.rate, o.sustainMs, () => unpackedOlderThan(o.boundMs) > allowedLate);
        if (sustained === 'done') {
          for (const rate of o.steps) {
            ctx.progress(`step: ${rate} orders/s for ${o.stepMs / 1000} s`);
            // Fallen behind by more than a second of the step's rate: the knee is below it.
            if ((await offer(`step-${rate}`, rate, o.stepMs, () => unpackedOlderThan(0) > rate)) === 'cut') break;
          }
        } else {
          ctx.progress(`more than ${allowedLate} orders already waited over ${o.boundMs} ms: the verdict is known, the load stops`);
        }
        await ctx.phase('drain');
        await Promise.all([...pending]);
        const progress = () => String(packed.size);
        // Cut short, the verdict is known: the backlog of a program that fell behind is not
        // waited for (it would take it many seconds).
        await drain(
          { signal: ctx.signal, timeouts: ctx.timeouts, faultActive: () => false },
          { done: () => packed.size >= sent.size, progress, quietMs: o.quietMs, intervalMs: 100, ...(sustained === 'cut' ? { timeoutMs: CUT_DRAIN_MS } : {}) },
        );
        if (sustained === 'done') {
          // The last orders, one at a time, each waited for: a program that sends a batch only
          // when it is full holds one of them for good, whatever its batch held before (with
          // 99 waiting, the first order fills it and the second stays), every run.
          await ctx.phase('last-orders');
          for (let k = 0; k < LAST_ORDERS && !ctx.signal.aborted; k++) {
            const orderId = publishOne('last-orders');
            if (!(await waitUntil(() => packed.has(orderId), LAST_ORDER_WAIT_MS, ctx.signal, 10))) break;
          }
        }
        await sleep(ACK_SETTLE_MS, ctx.signal);
      },
      async collect() {
        await channel.close().catch(() => {});
        await rabbit.recordLeftAfterStop('ORDER_QUEUE', ORDER_QUEUE, sent.size);
      },
    };
  },
};
