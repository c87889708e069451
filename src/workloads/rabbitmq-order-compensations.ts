/**
 * Week 6 project, order processing with compensations, over RabbitMQ.
 *
 * The learner's program consumes orders from ORDERS_QUEUE and takes each through three steps,
 * each a call to a lab service: reserve stock, charge payment, book shipment. Some orders are
 * refused for good by a step (the card declined: 402 at the charge; the address not
 * deliverable: 422 at the shipment): then the steps that went through before must be undone
 * by their compensations (refund payment, release stock), exactly once each, last one first,
 * and the order published as "cancelled" on ORDER_STATUS_QUEUE; every other order as
 * "completed". Each call may carry an idempotency key: the checks count a repeated key as a
 * replay (the service does nothing again), a call without one as done again.
 *
 * Every call is recorded (a `call` per service: streams stock-reserve, payment-charge,
 * shipment-book, payment-refund, stock-release) with its idempotencyKey; the lab consumes
 * ORDER_STATUS_QUEUE (a `consume`, stream "order-status", with the status's fields).
 *
 * Three phases, so that each classic mistake shows every run:
 * 1. "orders": `orders` orders, `declined` refused at the charge, `unshippable` refused at the
 *    shipment, `flaky` whose first shipment call answers 503 (busy: retried, it goes
 *    through); the first order refused at the shipment also has its first refund answered 503
 *    ("refund-busy": a compensation not retried leaves it half-done). No fault: a missing
 *    compensation, a refund of a declined charge, a 503 taken
 *    for a refusal, compensations in the wrong order, a missing status all show here.
 * 2. "victim": one order alone, refused at the shipment. The scenario's first kill-learner
 *    fault kills the program when it releases that order's stock (its last compensation, after
 *    the refund went through) and restarts it. The order comes back (it was not acked): a
 *    program that refunds again without the same idempotency key (none, a new one, a
 *    "refunded" flag kept in memory) refunds it twice; one that acked it first has left it
 *    half-done.
 * 3. "mid-shipment": one order alone that goes through. The second fault kills the program
 *    while it books that order's shipment and restarts it: the order must still complete,
 *    which an order acked on arrival does not (the refused orders, which no-lost-messages
 *    leaves out, are judged by saga-compensated).
 * 4. "after-restart": `ordersAfterRestart` more orders through the restarted program, so an
 *    order lost at a kill shows against orders that got through.
 *
 * The lab's tags on each order say how it must end: "declined" or "unshippable" (with
 * "refused": it must be cancelled), "flaky" (one 503, it must complete), "victim" and
 * "kill-mid-shipment" (the faults' victims).
 */
import type { ConsumeMessage } from 'amqplib';
import type { DownstreamReply } from '../runner/downstream.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { awaitConsumers, openRabbit } from './blocks/rabbitmq.js';
import { type Workload, type WorkloadContext, intOptions, jsonObject, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/rabbitmq-order-compensations.js';

export interface OrderCompensationsOptions {
  /** Orders of phase 1. */
  orders: number;
  /** Of those, refused at the charge (402, every time). */
  declined: number;
  /** Of those, refused at the shipment (422, every time). */
  unshippable: number;
  /** Of those, whose first shipment call answers 503 (later ones go through). */
  flaky: number;
  /** Orders of phase 3, after the kill and restart. */
  ordersAfterRestart: number;
  /** Each service's time per call, plus up to `apiJitterMs` drawn from the run's seed. */
  apiLatencyMs: number;
  apiJitterMs: number;
  /** A drain ends early once nothing moved for this long (a lost order never will). */
  quietMs: number;
}

/** An order as the lab places it on ORDERS_QUEUE. */
interface Order {
  orderId: string;
  customer: string;
  items: Array<{ sku: string; qty: number }>;
  amountCents: number;
}

/** Where `count` special orders go among `total`, starting at `offset` (evenly spread). */
function spread(count: number, total: number, offset: number): number[] {
  return Array.from({ length: count }, (_, k) => (Math.floor(((k + 1) * total) / (count + 1)) + offset) % total);
}

export const rabbitmqOrderCompensations: Workload<OrderCompensationsOptions> = {
  name: 'rabbitmq-order-compensations',
  parseOptions: (raw) => {
    const o = { ...intOptions(raw, defaults) };
    if (o.declined + o.unshippable + o.flaky > o.orders) throw new Error('"declined" + "unshippable" + "flaky" must be at most "orders"');
    return o;
  },

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const ORDERS_QUEUE = rabbit.name('orders');
    const ORDER_STATUS_QUEUE = rabbit.name('order-status');
    const setup = await rabbit.connection.createChannel();
    await setup.assertQueue(ORDERS_QUEUE, { durable: true });
    await setup.close();

    /** The tags of each order the lab placed: how each service answers it. */
    const placed = new Map<string, string[]>();
    const unknown = (key: string): DownstreamReply => ({ status: 404, body: { error: `unknown order ${key}: the lab never placed it` } });
    const service = (name: string, reply: (key: string, tags: string[], attempt: number) => DownstreamReply) =>
      ctx.downstream({
        name,
        keyField: 'orderId',
        latencyMs: o.apiLatencyMs,
        jitterMs: o.apiJitterMs,
        recordFields: ['idempotencyKey'],
        reply: (key, attempt) => {
          const tags = placed.get(key);
          return tags ? reply(key, tags, attempt) : unknown(key);
        },
      });
    const reserve = await service('stock-reserve', (key) => ({ status: 200, body: { reservationId: `rsv_${key}` } }));
    const charge = await service('payment-charge', (key, tags) =>
      tags.includes('declined') ? { status: 402, body: { error: 'card declined' } } : { status: 200, body: { chargeId: `ch_${key}` } },
    );
    const ship = await service('shipment-book', (key, tags, attempt) => {
      if (tags.includes('unshippable')) return { status: 422, body: { error: 'address not deliverable' } };
      if (tags.includes('flaky') && attempt === 1) return { status: 503, body: { error: 'shipping service busy, try again' } };
      return { status: 200, body: { shipmentId: `shp_${key}` } };
    });
    // One refused order's first refund answers 503: a compensation can be busy too, and must be retried.
    const refund = await service('payment-refund', (key, tags, attempt) =>
      tags.includes('refund-busy') && attempt === 1 ? { status: 503, body: { error: 'payment service busy, try again' } } : { status: 200, body: { refundId: `rf_${key}` } },
    );
    const release = await service('stock-release', (key) => ({ status: 200, body: { released: `rsv_${key}` } }));

    // Where every order ends: the lab's own durable queue, consumed from before the program starts.
    const listener = await rabbit.connection.createChannel();
    listener.on('error', () => {});
    ctx.defer(() => listener.close().catch(() => {}));
    await listener.assertQueue(ORDER_STATUS_QUEUE, { durable: true });
    await listener.consume(
      ORDER_STATUS_QUEUE,
      (message: ConsumeMessage | null) => {
        if (message === null) return;
        const text = message.content.toString();
        const event = jsonObject(text);
        if (event && typeof event.orderId === 'string') {
          ctx.history.record({ process: 'lab', kind: 'consume', outcome: 'ok', stream: 'order-status', key: event.orderId, value: { fields: event } });
        } else {
          ctx.history.record({ process: 'lab', kind: 'consume', outcome: 'fail', stream: 'order-status', value: text.length > 300 ? `${text.slice(0, 300)}...` : text });
        }
        listener.ack(message);
      },
      { noAck: false },
    );

    const orders = producer(ctx, {
      stream: 'orders',
      inlets: { orders: (m) => rabbit.publish('', ORDERS_QUEUE, m.body, { messageId: m.key, contentType: 'application/json', persistent: true }) },
    });
    const random = ctx.random('orders');
    let count = 0;
    const place = async (phase: string, tags: string[]): Promise<string> => {
      const orderId = messageId('order', ++count);
      const items = Array.from({ length: random.int(1, 3) }, () => ({ sku: `sku-${String(random.int(1, 120)).padStart(3, '0')}`, qty: random.int(1, 3) }));
      const order: Order = { orderId, customer: `customer-${random.int(1, 40)}`, items, amountCents: random.int(500, 40_000) };
      placed.set(orderId, tags);
      // Recorded before the publish: a call about the order can come before the confirm.
      if (!(await orders.send(orderId, order, { tags, record: { phase }, recordFirst: true }))) {
        throw new Error(`RabbitMQ refused the lab's order ${orderId} (its error is in the history)`);
      }
      return orderId;
    };

    const ended = () => new Set(ctx.history.history.filter((op) => op.kind === 'consume' && op.outcome === 'ok' && op.stream === 'order-status').map((op) => op.key));
    const allEnded = (keys: readonly string[]) => () => {
      const done = ended();
      return keys.every((key) => done.has(key));
    };
    /** What moves while orders go through: calls answered and statuses published. */
    const progress = () => String(ctx.history.history.filter((op) => (op.kind === 'call' || op.kind === 'consume') && op.outcome !== 'info').length);
    const consuming = async () => ((await rabbit.probeQueue(ORDERS_QUEUE))?.consumerCount ?? 0) > 0;

    return {
      env: {
        AMQP_URL: rabbit.url,
        ORDERS_QUEUE,
        ORDER_STATUS_QUEUE,
        RESERVE_STOCK_URL: `${reserve.url}/stock/reservations`,
        CHARGE_PAYMENT_URL: `${charge.url}/payments/charges`,
        BOOK_SHIPMENT_URL: `${ship.url}/shipments`,
        REFUND_PAYMENT_URL: `${refund.url}/payments/refunds`,
        RELEASE_STOCK_URL: `${release.url}/stock/releases`,
      },
      async awaitReady() {
        await awaitConsumers(ctx, rabbit, {
          name: 'ORDERS_QUEUE',
          physical: ORDERS_QUEUE,
          count: 1,
          hint: 'Start consuming ORDERS_QUEUE (manual acks) right after connecting to AMQP_URL.',
        });
      },
      async run() {
        ctx.progress(`phase 1: ${o.orders} orders; ${o.declined} with a card that is declined, ${o.unshippable} that cannot be shipped, ${o.flaky} whose shipment is refused once with a 503`);
        const tagsAt = new Map<number, string>();
        for (const [tag, n, offset] of [['declined', o.declined, 0], ['unshippable', o.unshippable, 1], ['flaky', o.flaky, 2]] as const) {
          for (const i of spread(n, o.orders, offset)) {
            let at = i;
            while (tagsAt.has(at)) at = (at + 1) % o.orders;
            tagsAt.set(at, tag);
          }
        }
        const first: string[] = [];
        // The first order refused at the shipment also gets a busy refund (503 once).
        const busyRefundAt = [...tagsAt].filter(([, tag]) => tag === 'unshippable').map(([i]) => i).sort((a, b) => a - b)[0];
        for (let i = 0; i < o.orders; i++) {
          const tag = tagsAt.get(i);
          const busy = i === busyRefundAt ? ['refund-busy'] : [];
          first.push(await place('orders', tag === undefined ? [] : tag === 'flaky' ? [tag] : [tag, 'refused', ...busy]));
        }
        await drain(ctx, { done: allEnded(first), progress, quietMs: o.quietMs });
        if (!(await consuming())) return;

        ctx.progress('phase 2: one order that cannot be shipped; your program will be killed while it compensates it, and restarted');
        await ctx.phase('victim');
        const victim = await place('victim', ['unshippable', 'refused', 'victim']);
        await drain(ctx, { done: allEnded([victim]), progress, quietMs: o.quietMs });
        await ctx.faultsSettled();
        await waitUntil(consuming, ctx.timeouts.readyMs, ctx.signal, 100);

        ctx.progress('phase 3: one order that goes through; your program will be killed while it books its shipment, and restarted');
        await ctx.phase('mid-shipment');
        const shipped = await place('mid-shipment', ['kill-mid-shipment']);
        await drain(ctx, { done: allEnded([shipped]), progress, quietMs: o.quietMs });
        await ctx.faultsSettled();
        await waitUntil(consuming, ctx.timeouts.readyMs, ctx.signal, 100);

        ctx.progress(`phase 4: ${o.ordersAfterRestart} more orders through the restarted program`);
        await ctx.phase('after-restart');
        const last: string[] = [];
        for (let i = 0; i < o.ordersAfterRestart; i++) last.push(await place('after-restart', i === 1 ? ['unshippable', 'refused'] : []));
        await drain(ctx, { done: allEnded([...first, victim, shipped, ...last]), progress, quietMs: o.quietMs });
        // Quiet period: a late compensation or a second status would show here.
        await sleep(400, ctx.signal);
      },
      async collect() {
        await rabbit.recordLeftAfterStop('ORDERS_QUEUE', ORDERS_QUEUE, count);
      },
    };
  },
};
