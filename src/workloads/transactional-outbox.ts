/**
 * Week 12, the transactional outbox: an order and its event written in one PostgreSQL
 * transaction, a relay publishing the outbox to RabbitMQ.
 *
 * The learner's program runs as two copies with roles (scenario `learner.roles`): copy 1 is
 * the order service (ROLE=service): it consumes order commands from ORDERS_QUEUE and writes
 * each order to the `orders` table and its event to the `outbox` table in one transaction;
 * copy 2 is the relay (ROLE=relay): it publishes the outbox rows to EVENTS_EXCHANGE, with
 * publisher confirms, and marks each row sent (sent_at) once RabbitMQ confirmed it. The lab
 * creates both tables in the run's own database before the program starts (DDL below, also
 * in the README), sends the commands (`produce`, stream "orders"), consumes every event
 * published to EVENTS_EXCHANGE through a queue of its own bound with "#" (`consume`, stream
 * "events", with the routing key), and reads both tables at the end (observation
 * "outbox-tables").
 *
 * Phases, designed from the mistakes backwards so that each window opens every run:
 * 1. "orders": `orders` orders, `invalidOrders` of them with amountCents <= 0 (the table's
 *    CHECK refuses them: they must roll back, and no event may leave for them).
 * 2. "relay-busy": the scenario puts latency on the program's connection to RabbitMQ only,
 *    so each relay pass waits a round trip for its confirms while the service, fast on
 *    PostgreSQL, commits `busyOrders` orders sent `busySpacingMs` apart: orders commit while a
 *    pass is in flight, every run. A relay that marks `WHERE sent_at IS NULL` instead of the
 *    ids it published marks them sent without publishing them.
 * 3. "service-kill": latency on the program's connections to PostgreSQL and RabbitMQ, so that
 *    each step takes a round trip. The lab sends one order and kills the service while its
 *    transaction is open (a connection of the run's database idle in transaction after an
 *    INSERT into orders or outbox, read from pg_stat_activity): a service that acked the
 *    command before its commit loses the order (the lab records the kill keyed by the order,
 *    reason "open-transaction"). Restarted, the command comes again, and the lab kills the
 *    service the moment the order is committed (it reads the table) and its event has not
 *    arrived: a service that publishes after its commit (dual write), or writes the outbox
 *    row in a second transaction, is killed in between, and the order's command, redelivered,
 *    finds the order already there. Restarted. (An order written by one statement is never
 *    seen inside an open transaction: then no first kill, and a new order is the second
 *    kill's victim.)
 * 4. "relay-kill": the same latency; the lab sends `relayOrders` orders and kills the relay
 *    at the first moment an outbox row and RabbitMQ disagree: an event arrived and its row is
 *    not marked sent yet (a correct relay, between confirm and mark: it must publish it
 *    again), or a row is marked sent and its event has not arrived (a relay that marks first
 *    loses it). While the relay is down the lab sends `whileDownOrders` more and waits until
 *    they are committed: a relay that restarts from its newest row (a position kept in
 *    memory) skips them.
 * 5. "db-restart": the scenario restarts PostgreSQL; once it is back the lab sends
 *    `afterRestartOrders` orders: a service or relay that does not reconnect never gets
 *    them out.
 * The kills are the workload's own (they depend on what the tables show), recorded as
 * kill-learner fault events (ids from KILL_FAULT_ID on), so the report and the checks see
 * them as any kill.
 */
import type { ConsumeMessage } from 'amqplib';
import { recordObservation } from '../runner/observations.js';
import { drain } from './blocks/drain.js';
import { openPostgres } from './blocks/postgres.js';
import { producer } from './blocks/produce.js';
import { awaitConsumers, openRabbit } from './blocks/rabbitmq.js';
import { type Workload, type WorkloadContext, intOptions, jsonObject, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/transactional-outbox.js';

export interface TransactionalOutboxOptions {
  /** Orders of phase 1, of which `invalidOrders` have amountCents <= 0. */
  orders: number;
  invalidOrders: number;
  /** Orders of phase 2, one every `busySpacingMs`, while the relay's publishes are slow. */
  busyOrders: number;
  busySpacingMs: number;
  /** Orders of phase 4, while the relay may be killed, and while it is down. */
  relayOrders: number;
  whileDownOrders: number;
  /** Orders of phase 5, after PostgreSQL's restart. */
  afterRestartOrders: number;
  /** How long the lab waits for a kill window before it kills anyway. */
  windowMs: number;
  /** A drain ends once nothing moved for this long. */
  quietMs: number;
}

/** The tables, as the README gives them. */
export const OUTBOX_DDL = `
CREATE TABLE orders (
  order_id     text PRIMARY KEY,
  customer     text NOT NULL,
  amount_cents integer NOT NULL CHECK (amount_cents > 0),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  event_id     uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  aggregate_id text NOT NULL,
  event_type   text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  sent_at      timestamptz
);`;

export const EVENT_ROUTING_KEY = 'order.placed';
export const EVENT_TYPE = 'OrderPlaced';
/** Fault ids of the workload's kills (the scenario's faults are numbered from 0). */
export const KILL_FAULT_ID = 100;

const SERVICE = 1;
const RELAY = 2;

interface OutboxRow {
  event_id: string;
  aggregate_id: string;
  event_type: string;
  sent: boolean;
}

export const transactionalOutbox: Workload<TransactionalOutboxOptions> = {
  name: 'transactional-outbox',
  parseOptions: (raw) => {
    const o = {
      ...intOptions(raw, defaults),
    };
    if (o.invalidOrders > o.orders) throw new Error('"invalidOrders" must be at most "orders"');
    return o;
  },

  async prepare(ctx: WorkloadContext, o) {
    const db = await openPostgres(ctx);
    await db.query(OUTBOX_DDL);
    const rabbit = await openRabbit(ctx);
    const ORDERS_QUEUE = rabbit.name('orders');
    const EVENTS_EXCHANGE = rabbit.name('order-events');
    const LAB_QUEUE = rabbit.name('lab.order-events');
    const setup = await rabbit.connection.createChannel();
    await setup.assertQueue(ORDERS_QUEUE, { durable: true });
    await setup.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
    await setup.assertQueue(LAB_QUEUE, { durable: true });
    await setup.bindQueue(LAB_QUEUE, EVENTS_EXCHANGE, '#');
    await setup.close();

    // Every event published, as it comes: one `consume` each, keyed by its orderId.
    /** Order ids whose event arrived at least once. */
    const arrived = new Set<string>();
    const listener = await rabbit.connection.createChannel();
    ctx.defer(() => listener.close().catch(() => {}));
    await listener.consume(
      LAB_QUEUE,
      (message: ConsumeMessage | null) => {
        if (!message) return;
        const raw = message.content.toString('utf8');
        const body = jsonObject(raw);
        const orderId = typeof body?.orderId === 'string' ? body.orderId : undefined;
        if (orderId) arrived.add(orderId);
        ctx.history.record({
          process: 'lab',
          kind: 'consume',
          outcome: body ? 'ok' : 'fail',
          stream: 'events',
          ...(orderId ? { key: orderId } : {}),
          value: { routingKey: message.fields.routingKey, messageId: message.properties.messageId ?? null, fields: body ?? {}, raw: raw.slice(0, 300) },
        });
      },
      { noAck: true },
    );

    const orders = producer(ctx, { stream: 'orders', inlets: { orders: (m) => rabbit.publish('', ORDERS_QUEUE, m.body, { messageId: m.key, contentType: 'application/json' }) } });
    const random = ctx.random('orders');
    let count = 0;
    const validSent: string[] = [];
    const send = async (phase: string, valid = true): Promise<string> => {
      const orderId = messageId('ord', ++count);
      const body = { orderId, customer: `CUST-${String(random.int(1, 50)).padStart(2, '0')}`, amountCents: valid ? random.int(100, 99_999) : -random.int(0, 500) };
      await orders.send(orderId, body, { tags: valid ? [] : ['invalid'], record: { phase } });
      if (valid) validSent.push(orderId);
      return orderId;
    };

    // What the tables hold now, for the kill windows; rows seen once, for rows deleted later.
    const seenRows = new Map<string, string>(); // event_id -> order id
    const committed = async (ids: readonly string[]): Promise<Set<string>> => new Set((await db.query<{ order_id: string }>('SELECT order_id FROM orders WHERE order_id = ANY($1)', [ids])).map((r) => r.order_id));
    const outboxRows = async (ids: readonly string[]): Promise<OutboxRow[]> => {
      const rows = await db.query<OutboxRow>('SELECT event_id::text, aggregate_id, event_type, sent_at IS NOT NULL AS sent FROM outbox WHERE aggregate_id = ANY($1)', [ids]);
      for (const r of rows) seenRows.set(r.event_id, r.aggregate_id);
      return rows;
    };

    let kills = 0;
    const recordKill = (id: number, key: string | undefined, value: Record<string, unknown>) =>
      ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', ...(key ? { key } : {}), value: { fault: 'kill-learner', id, ...value } });
    /** Waits (bounded) until `window` names an order and a reason, then kills the copy; it
     *  stays down until `restartWhen` resolves. A window that answers "missed" can no longer
     *  open (the moment passed, e.g. the order committed in one statement): no kill then. */
    const killAt = async (instance: number, window: () => Promise<{ key: string; reason: string } | 'missed' | undefined>, restartWhen: () => Promise<unknown>) => {
      const id = KILL_FAULT_ID + kills++;
      recordKill(id, undefined, { phase: 'hold', instance });
      let seen: { key: string; reason: string } | 'missed' | undefined;
      await waitUntil(async () => (seen = await window().catch(() => undefined)) !== undefined, o.windowMs, ctx.signal, 25);
      // A Ctrl-C ends every wait at once: no kill, no restart then (cleanup stops the program).
      if (ctx.signal.aborted) return;
      if (seen === 'missed') {
        recordKill(id, undefined, { phase: 'heal', instance, restarted: false, reason: 'missed' });
        return;
      }
      recordKill(id, seen?.key, { phase: 'start', instance, signal: 'SIGKILL', reason: seen?.reason ?? 'max' });
      const victim = ctx.learners.get(instance);
      await victim.kill();
      await restartWhen();
      await sleep(200, ctx.signal);
      if (ctx.signal.aborted) return;
      victim.start();
      recordKill(id, undefined, { phase: 'heal', instance, restarted: true });
    };

    /** Whether a connection of the program holds a transaction open that has inserted into
     *  orders or outbox and not committed yet (its last statement one of those inserts). */
    const openInsert = async (): Promise<boolean> =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = $1 AND pid <> pg_backend_pid() AND state = 'idle in transaction'
              AND query ~* 'insert\\s+into\\s+("?\\w+"?\\.)?"?(orders|outbox)\\y'`,
          [db.database],
        )
      )[0]?.n !== 0;

    const progress = () => `${arrived.size}|${ctx.history.history.length}`;
    const allArrived = (ids: readonly string[]) => () => ids.every((id) => arrived.has(id));
    const settle = (ids: readonly string[]) => drain(ctx, { done: allArrived(ids), progress, quietMs: o.quietMs });

    return {
      env: {
        AMQP_URL: rabbit.url,
        ORDERS_QUEUE,
        EVENTS_EXCHANGE,
        DATABASE_URL: db.url,
      },
      async awaitReady() {
        await awaitConsumers(ctx, rabbit, {
          name: 'ORDERS_QUEUE',
          physical: ORDERS_QUEUE,
          count: 1,
          hint: 'The service (ROLE=service) must subscribe to ORDERS_QUEUE with basic.consume (amqplib channel.consume; pika basic_consume and start_consuming) right after connecting to AMQP_URL and DATABASE_URL: the lab waits for a consumer on the queue, and a loop of basic_get is never seen as one.',
        });
      },
      async run() {
        await ctx.phase('orders');
        ctx.progress(`phase 1: ${o.orders} orders, ${o.invalidOrders} of them invalid`);
        const invalidAt = new Set(Array.from({ length: o.invalidOrders }, (_, i) => Math.floor(((i + 1) * o.orders) / (o.invalidOrders + 1))));
        for (let i = 0; i < o.orders; i++) await send('orders', !invalidAt.has(i));
        await settle(validSent);
        if (ctx.signal.aborted) return; // Ctrl-C: the run stops here, cleanup follows

        ctx.progress(`phase 2: ${o.busyOrders} orders, one every ${o.busySpacingMs} ms, while the relay is slow`);
        await ctx.phase('relay-busy');
        for (let i = 0; i < o.busyOrders; i++) {
          if (i > 0) await sleep(o.busySpacingMs, ctx.signal);
          await send('relay-busy');
        }
        await settle(validSent);
        await ctx.faultsSettled();
        if (ctx.signal.aborted) return;

        ctx.progress('phase 3: the service is killed inside its transaction, then the moment an order is committed');
        await ctx.phase('service-kill');
        const firstVictim = await send('service-kill');
        let crashed = false;
        await killAt(
          SERVICE,
          async () => {
            if ((await committed([firstVictim])).has(firstVictim)) return 'missed';
            if (!(await openInsert())) return undefined;
            crashed = true;
            return { key: firstVictim, reason: 'open-transaction' };
          },
          async () => {},
        );
        if (ctx.signal.aborted) return;
        // The command killed inside its transaction comes again: its commit is the next window.
        // Without that kill (the order committed in one statement), a new order is the victim.
        const victimOrder = crashed ? firstVictim : await send('service-kill');
        await killAt(
          SERVICE,
          async () => ((await committed([victimOrder])).has(victimOrder) && !arrived.has(victimOrder) ? { key: victimOrder, reason: 'committed-not-published' } : undefined),
          async () => {},
        );
        await settle(validSent);
        await ctx.faultsSettled();
        if (ctx.signal.aborted) return;

        ctx.progress('phase 4: the relay is killed between publishing and marking sent');
        await ctx.phase('relay-kill');
        const relayPhase: string[] = [];
        for (let i = 0; i < o.relayOrders; i++) relayPhase.push(await send('relay-kill'));
        const whileDown: string[] = [];
        await killAt(
          RELAY,
          async () => {
            for (const row of await outboxRows(relayPhase)) {
              if (!row.sent && arrived.has(row.aggregate_id)) return { key: row.aggregate_id, reason: 'published-not-marked' };
              if (row.sent && !arrived.has(row.aggregate_id)) return { key: row.aggregate_id, reason: 'marked-not-published' };
            }
            return undefined;
          },
          async () => {
            // Events pile up in the outbox while the relay is down: it must publish them when back.
            for (let i = 0; i < o.whileDownOrders; i++) whileDown.push(await send('relay-down'));
            // Bounded by the drain's time: the service may still have the phase's first orders to do.
            await waitUntil(async () => (await committed(whileDown).catch(() => new Set<string>())).size === whileDown.length, ctx.timeouts.drainMs, ctx.signal, 50);
          },
        );
        await settle(validSent);
        await ctx.faultsSettled();
        if (ctx.signal.aborted) return;

        ctx.progress('phase 5: PostgreSQL restarts, then more orders come');
        await ctx.phase('db-restart');
        await ctx.faultsSettled();
        // The lab's own pool reconnects; wait until the server answers again.
        await waitUntil(async () => (await db.query('SELECT 1').then(() => true).catch(() => false)), 20_000, ctx.signal, 100);
        if (ctx.signal.aborted) return;
        for (let i = 0; i < o.afterRestartOrders; i++) await send('after-db-restart');
        await settle(validSent);
        // A relay that publishes again right after the last event: a moment for its copies.
        await sleep(500, ctx.signal);
      },
      async collect() {
        const orderRows = await db.query<{ order_id: string; customer: string; amount_cents: number }>('SELECT order_id, customer, amount_cents FROM orders ORDER BY created_at');
        const rows = await db.query<OutboxRow>('SELECT event_id::text, aggregate_id, event_type, sent_at IS NOT NULL AS sent FROM outbox ORDER BY id');
        const present = new Set(rows.map((r) => r.event_id));
        recordObservation(ctx.history, 'outbox-tables', {
          orders: orderRows.map((r) => ({ orderId: r.order_id, customer: r.customer, amountCents: r.amount_cents })),
          outbox: rows.map((r) => ({ eventId: r.event_id, orderId: r.aggregate_id, type: r.event_type, sent: r.sent })),
          vanished: [...seenRows].filter(([eventId]) => !present.has(eventId)).map(([eventId, orderId]) => ({ eventId, orderId })),
        });
      },
    };
  },
};
