/**
 * Alternative solution, written differently from the reference: the service writes the order
 * and its outbox row in ONE statement (a data-modifying CTE is atomic on its own, no BEGIN
 * needed: the outbox row is inserted only when the order was) and then wakes the relay with
 * NOTIFY. The relay LISTENs on a connection of its own (and polls every second, in case a
 * notification was missed, e.g. while it was down), publishes what is in the outbox, and
 * DELETES the rows once RabbitMQ confirmed them, instead of marking them sent.
 */
import amqp, { type ConfirmChannel } from 'amqplib';
import pg from 'pg';
import { CHECK_VIOLATION, EVENT_TYPE, type OrderCommand, ROUTING_KEY, config, sleep } from '../../../labs/transactional-outbox/orders.js';

const CHANNEL = 'outbox_written';
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
pool.on('error', () => {}); // an idle connection broke: the pool opens a new one

const PLACE_ORDER = `
WITH placed AS (
  INSERT INTO orders (order_id, customer, amount_cents) VALUES ($1, $2, $3)
  ON CONFLICT (order_id) DO NOTHING
  RETURNING order_id, customer, amount_cents
)
INSERT INTO outbox (aggregate_id, event_type, payload)
SELECT order_id, $4, jsonb_build_object('orderId', order_id, 'customer', customer, 'amountCents', amount_cents) FROM placed`;

async function service(): Promise<void> {
  const connection = await amqp.connect(config.amqpUrl);
  const channel = await connection.createChannel();
  await channel.prefetch(1);
  await channel.consume(config.ordersQueue, async (message) => {
    if (message === null) return;
    const order = JSON.parse(message.content.toString()) as OrderCommand;
    try {
      const written = await pool.query(PLACE_ORDER, [order.orderId, order.customer, order.amountCents, EVENT_TYPE]);
      if (written.rowCount === 1) await pool.query(`NOTIFY ${CHANNEL}`).catch(() => {}); // a wake-up call only
      channel.ack(message);
    } catch (error) {
      if ((error as { code?: string }).code === CHECK_VIOLATION) {
        channel.ack(message); // invalid: nothing was written
        return;
      }
      await sleep(500);
      channel.nack(message, false, true);
    }
  });
}

/** Publishes everything in the outbox, oldest first; deletes what RabbitMQ confirmed. */
async function drainOutbox(channel: ConfirmChannel): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ id: string; event_id: string; event_type: string; payload: object }>('SELECT id, event_id, event_type, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 20');
    if (rows.length === 0) return;
    for (const row of rows) {
      const body = JSON.stringify({ eventId: row.event_id, type: row.event_type, ...row.payload });
      channel.publish(config.eventsExchange, ROUTING_KEY, Buffer.from(body), { persistent: true, messageId: row.event_id, contentType: 'application/json' });
    }
    await channel.waitForConfirms();
    await pool.query('DELETE FROM outbox WHERE id = ANY($1)', [rows.map((r) => r.id)]);
  }
}

/** A LISTEN connection that opens again when it breaks; `wake` is called on each NOTIFY. */
async function listen(wake: () => void): Promise<void> {
  for (;;) {
    const client = new pg.Client({ connectionString: config.databaseUrl });
    const broken = new Promise<void>((resolve) => {
      client.on('error', () => resolve());
      client.on('end', () => resolve());
    });
    try {
      await client.connect();
      client.on('notification', wake);
      await client.query(`LISTEN ${CHANNEL}`);
      wake(); // whatever was written while we were not listening
      await broken;
    } catch {
      // not reachable now: try again below
    }
    await client.end().catch(() => {});
    await sleep(500);
  }
}

async function relay(): Promise<void> {
  const connection = await amqp.connect(config.amqpUrl);
  const channel = await connection.createConfirmChannel();
  let wakeUp: () => void = () => {};
  void listen(() => wakeUp());
  for (;;) {
    try {
      await drainOutbox(channel);
    } catch (error) {
      console.error(`relay: ${(error as Error).message}; trying again`);
    }
    // Until the next NOTIFY, or a second at most.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

if (config.role === 'relay') await relay();
else await service();
