/**
 * Week 3, an event chain: order -> payment -> shipping, over RabbitMQ.
 *
 * The learner's program runs as three copies, each with its ROLE: order-service,
 * payment-service and shipping-service. The lab places orders on ORDERS_QUEUE, each with a
 * correlation id. The order service turns each into an "order.placed" event on
 * PAYMENTS_QUEUE; the payment service charges it through the lab's payments API (POST
 * /charges) and emits "order.paid" on SHIPPING_QUEUE, or, when the card is declined (402,
 * final), "order.failed" on ORDER_STATUS_QUEUE; the shipping service books the shipment
 * through the lab's shipping API (POST /shipments) and emits "order.shipped" on
 * ORDER_STATUS_QUEUE. The lab declares ORDER_STATUS_QUEUE and consumes it: every order must
 * end there, shipped or failed, with its correlation id. Both APIs record every call with
 * the body's correlationId (and the charge's idempotencyKey).
 *
 * Three phases keep the verdict deterministic:
 * 1. `orders` orders, `declined` of them with a card the payments API declines. No fault:
 *    every count (charges per declined order, shipments per order) is exact.
 * 2. One order alone, tagged "victim". The scenario's kill-learner fault kills the payment
 *    service while its charge for that order is in flight, and restarts it. Nothing else is
 *    in flight anywhere, so a correct service has nothing but the victim to redo: it comes
 *    back (it was not acknowledged) and is charged again, with the same idempotency key. A
 *    service that acknowledged it before charging has lost it; one that makes a new key per
 *    attempt has charged it twice.
 * 3. `ordersAfterRestart` more orders once the payment service consumes again: the restarted
 *    chain must work, and an order lost at the kill shows against orders that got through.
 */
import { randomUUID } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import { tagsOf } from '../checks/types.js';
import type { DownstreamReply } from '../runner/downstream.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { openRabbit } from './blocks/rabbitmq.js';
import { type Workload, type WorkloadContext, intOptions, jsonObject, LearnerNotReadyError, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/event-chain.js';

export interface EventChainOptions {
  /** Orders placed in phase 1 (before any fault). */
  orders: number;
  /** Of those, how many have a card the payments API declines (402, every time). */
  declined: number;
  /** Orders placed in phase 3, after the payment service was killed and restarted. */
  ordersAfterRestart: number;
  paymentsLatencyMs: number;
  /** Up to this much more per charge, drawn from the run's seed. */
  paymentsJitterMs: number;
  shippingLatencyMs: number;
  shippingJitterMs: number;
  /** Which copy of the program is the payment service (ROLE=payment-service), and which the
   *  shipping service: the copy an API call comes from when it does not say. */
  paymentCopy: number;
  shippingCopy: number;
  /** A drain ends early once no order moved on for this long (lost orders never will). */
  quietMs: number;
}

/** The body of an order the lab places on ORDERS_QUEUE. */
interface Order {
  orderId: string;
  correlationId: string;
  customer: string;
  items: Array<{ sku: string; qty: number; price: number }>;
  total: number;
}

/** An order's own items and total, from its number (the same in every run). */
function itemsOf(n: number): Pick<Order, 'items' | 'total'> {
  const items = Array.from({ length: 1 + (n % 3) }, (_, i) => ({ sku: `sku-${String(((n + i) * 37) % 100).padStart(3, '0')}`, qty: 1 + ((n + i) % 2), price: 5 + (((n + i) * 13) % 40) }));
  return { items, total: items.reduce((sum, item) => sum + item.qty * item.price, 0) };
}

/** Where `count` special items go among `total` (evenly spread, never first). */
function spread(count: number, total: number): Set<number> {
  return new Set(Array.from({ length: count }, (_, k) => Math.floor(((k + 1) * total) / (count + 1))));
}

export const eventChain: Workload<EventChainOptions> = {
  name: 'event-chain',
  parseOptions: (raw) => ({
    ...intOptions(raw, defaults),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const queues = {
      orders: rabbit.name('orders'),
      payments: rabbit.name('payments'),
      shipping: rabbit.name('shipping'),
      status: rabbit.name('order-status'),
    };

    const known = (key: string): string[] | undefined => {
      const produced = ctx.history.produced(key);
      return produced ? tagsOf(produced) : undefined;
    };
    const unknown = (key: string): DownstreamReply => ({ status: 404, body: { error: `unknown order ${key}: the lab never placed it` } });
    const payments = await ctx.downstream({
      name: 'payments-api',
      keyField: 'orderId',
      latencyMs: o.paymentsLatencyMs,
      jitterMs: o.paymentsJitterMs,
      recordFields: ['correlationId', 'idempotencyKey', 'amount'],
      instance: o.paymentCopy,
      reply: (key) => {
        const tags = known(key);
        if (!tags) return unknown(key);
        if (tags.includes('declined')) return { status: 402, body: { error: 'card declined', declined: true } };
        return { status: 200, body: { chargeId: `ch_${key}` } };
      },
    });
    const shipping = await ctx.downstream({
      name: 'shipping-api',
      keyField: 'orderId',
      latencyMs: o.shippingLatencyMs,
      jitterMs: o.shippingJitterMs,
      recordFields: ['correlationId'],
      instance: o.shippingCopy,
      reply: (key) => (known(key) ? { status: 200, body: { shipmentId: `sh_${key}` } } : unknown(key)),
    });

    // The chain's end: the lab's own durable queue, consumed from before the program starts.
    const listener = await rabbit.connection.createChannel();
    listener.on('error', () => {});
    ctx.defer(() => listener.close().catch(() => {}));
    await listener.assertQueue(queues.status, { durable: true });
    await listener.consume(
      queues.status,
      (message: ConsumeMessage | null) => {
        if (message === null) return;
        const text = message.content.toString();
        const event = jsonObject(text);
        const type = event?.type;
        if (event && typeof event.orderId === 'string' && (type === 'order.shipped' || type === 'order.failed')) {
          ctx.history.record({ process: 'lab', kind: 'consume', outcome: 'ok', stream: type, key: event.orderId, value: { fields: event } });
        } else {
          // Neither a shipped nor a failed event the lab can read: shown as an unreadable output.
          ctx.history.record({ process: 'lab', kind: 'consume', outcome: 'fail', stream: 'order.shipped', value: text.length > 300 ? `${text.slice(0, 300)}...` : text });
        }
        listener.ack(message);
      },
      { noAck: false },
    );

    // Orders go out through the producer: recorded, and open to `duplicate` and `poison`.
    const orders = producer(ctx, {
      stream: 'orders',
      inlets: { orders: (m) => rabbit.publish('', queues.orders, m.body, { messageId: m.key, contentType: 'application/json', ...(m.extra ?? {}) }) },
    });
    /** Orders placed, by key, with what each must end as. */
    const placed = new Map<string, 'shipped' | 'failed'>();
    let count = 0;
    const place = async (phase: number, tags: string[]): Promise<string> => {
      const n = ++count;
      const order: Order = { orderId: messageId('order', n), correlationId: randomUUID(), customer: `customer-${(n * 7) % 23}`, ...itemsOf(n) };
      placed.set(order.orderId, tags.includes('declined') ? 'failed' : 'shipped');
      // Recorded before the publish, not after its confirm: the chain can be faster than the
      // confirm, and the APIs (which answer 404 for orders the lab never placed) and the
      // fault (which picks its victim by the order's tags) look the order up as soon as a
      // call about it arrives. A publish RabbitMQ refuses ends the run (the lab's failure).
      if (!(await orders.send(order.orderId, order, { tags, record: { phase }, extra: { correlationId: order.correlationId }, recordFirst: true }))) {
        throw new Error(`RabbitMQ refused the lab's order ${order.orderId} (its error is in the history)`);
      }
      return order.orderId;
    };
    const ended = (stream: 'order.shipped' | 'order.failed') =>
      new Set(ctx.history.history.filter((op) => op.kind === 'consume' && op.outcome === 'ok' && op.stream === stream).map((op) => op.key));
    const allEnded = (keys: readonly string[]) => () => {
      const shipped = ended('order.shipped');
      const failed = ended('order.failed');
      return keys.every((key) => (placed.get(key) === 'failed' ? failed : shipped).has(key));
    };
    /** What moves while orders go through: failed (declined) calls do not, so a service that
     *  retries a declined charge for ever does not keep the drain from going quiet. */
    const progress = () =>
      String(ctx.history.history.filter((op) => op.outcome === 'ok' && (op.kind === 'consume' || (op.kind === 'call' && op.stream !== undefined))).length);
    const consumers = async (queue: string) => (await rabbit.probeQueue(queue))?.consumerCount ?? 0;
    const inputs = [
      { role: 'order-service', name: 'orders', variable: 'ORDERS_QUEUE', queue: queues.orders },
      { role: 'payment-service', name: 'payments', variable: 'PAYMENTS_QUEUE', queue: queues.payments },
      { role: 'shipping-service', name: 'shipping', variable: 'SHIPPING_QUEUE', queue: queues.shipping },
    ];
    const idle = async () => (await Promise.all(inputs.map(async (i) => ((await consumers(i.queue)) > 0 ? undefined : i)))).filter((i) => i !== undefined);

    return {
      env: {
        AMQP_URL: rabbit.url,
        ORDERS_QUEUE: queues.orders,
        PAYMENTS_QUEUE: queues.payments,
        SHIPPING_QUEUE: queues.shipping,
        ORDER_STATUS_QUEUE: queues.status,
        PAYMENTS_API_URL: payments.url,
        SHIPPING_API_URL: shipping.url,
      },
      async awaitReady() {
        if (await waitUntil(async () => (await idle()).length === 0, ctx.timeouts.readyMs, ctx.signal, 200)) return;
        const missing = await idle();
        if (missing.length === 0) return;
        throw new LearnerNotReadyError(
          `nobody consumed from ${missing.map((m) => `${m.variable} ("${m.queue}")`).join(' or ')} within ${ctx.timeouts.readyMs / 1000}s`,
          `Each copy of your program gets its part in ROLE. ${missing.map((m) => `With ROLE=${m.role}, declare ${m.variable} (durable) and consume from it`).join('; ')}, right after connecting to AMQP_URL.`,
        );
      },
      async run() {
        ctx.progress(`phase 1: ${o.orders} orders, ${o.declined} of them with a card the payments API declines`);
        const special = spread(o.declined, o.orders);
        const first: string[] = [];
        for (let i = 0; i < o.orders; i++) first.push(await place(1, special.has(i) ? ['declined'] : []));
        const settled = await drain(ctx, { done: allEnded(first), progress, quietMs: o.quietMs });
        if (settled !== 'done' && ended('order.shipped').size + ended('order.failed').size === 0) {
          // Not one order came out of the chain: the next phases could show nothing more.
          ctx.progress('no order came out of the chain: stopping here');
          return;
        }

        // Phase 2: one order alone; the payment service is killed during its charge.
        ctx.progress('phase 2: one order; the payment service will be killed while it charges it');
        await ctx.phase('victim');
        const victim = await place(2, ['victim']);
        await drain(ctx, { done: allEnded([victim]), progress, quietMs: o.quietMs });
        await ctx.faultsSettled();
        await waitUntil(async () => (await consumers(queues.payments)) > 0, ctx.timeouts.readyMs, ctx.signal, 100);

        ctx.progress(`phase 3: ${o.ordersAfterRestart} more orders through the restarted chain`);
        await ctx.phase('after-restart');
        const third: string[] = [];
        for (let i = 0; i < o.ordersAfterRestart; i++) third.push(await place(3, []));
        await drain(ctx, { done: allEnded([...first, victim, ...third]), progress, quietMs: o.quietMs });
        // Quiet period: a second shipment or a late retry would show up here.
        await sleep(400, ctx.signal);
      },
      async collect() {
        for (const input of inputs) await rabbit.recordQueueConfig(input.name, input.queue);
      },
    };
  },
};
