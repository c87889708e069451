/**
 * Wrong: the service writes the outbox row for every command it handles, also when the
 * order insert did nothing (ON CONFLICT DO NOTHING: the command came again, the order is
 * already there). A command redelivered after a kill gets a second outbox row, which the
 * relay publishes as a second event under a new eventId. Otherwise the reference.
 */
import amqp, { type ConfirmChannel } from 'amqplib';
import pg from 'pg';
import { CHECK_VIOLATION, EVENT_TYPE, type OrderCommand, type OrderPlaced, ROUTING_KEY, config, sleep } from '../../../labs/transactional-outbox/orders.js';

const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
pool.on('error', (error) => console.error(`an idle connection broke: ${error.message}`)); // the pool replaces it

/** Writes the order and its event in one transaction: "placed", "already" (a command that
 *  came again) or "refused" (the CHECK refused an invalid order: nothing was written). */
async function placeOrder(order: OrderCommand): Promise<'placed' | 'already' | 'refused'> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const inserted = await client.query('INSERT INTO orders (order_id, customer, amount_cents) VALUES ($1, $2, $3) ON CONFLICT (order_id) DO NOTHING', [order.orderId, order.customer, order.amountCents]);
    // The order's event, in the same transaction.
    const payload = { orderId: order.orderId, customer: order.customer, amountCents: order.amountCents };
    await client.query('INSERT INTO outbox (aggregate_id, event_type, payload) VALUES ($1, $2, $3)', [order.orderId, EVENT_TYPE, JSON.stringify(payload)]);
    await client.query('COMMIT');
    return inserted.rowCount === 1 ? 'placed' : 'already';
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    if ((error as { code?: string }).code === CHECK_VIOLATION) return 'refused';
    throw error;
  } finally {
    client.release(broken);
  }
}

async function service(): Promise<void> {
  const connection = await amqp.connect(config.amqpUrl);
  const channel = await connection.createChannel();
  await channel.prefetch(1);
  await channel.consume(config.ordersQueue, async (message) => {
    if (message === null) return;
    const order = JSON.parse(message.content.toString()) as OrderCommand;
    try {
      const outcome = await placeOrder(order);
      if (outcome === 'refused') console.error(`order ${order.orderId} refused: amountCents ${order.amountCents}`);
      channel.ack(message); // after the commit (or the refusal): the command is done
    } catch (error) {
      // The database is unreachable (restarting): try the command again a little later.
      console.error(`order ${order.orderId} not placed yet: ${(error as Error).message}`);
      await sleep(500);
      channel.nack(message, false, true);
    }
  });
}

interface OutboxRow {
  id: string;
  event_id: string;
  event_type: string;
  payload: { orderId: string; customer: string; amountCents: number };
}

/** Publishes the unsent rows, oldest first; marks them sent once RabbitMQ confirmed them. */
async function publishPending(channel: ConfirmChannel): Promise<number> {
  const { rows } = await pool.query<OutboxRow>('SELECT id, event_id, event_type, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 50');
  if (rows.length === 0) return 0;
  for (const row of rows) {
    const event: OrderPlaced = { eventId: row.event_id, type: EVENT_TYPE, ...row.payload };
    channel.publish(config.eventsExchange, ROUTING_KEY, Buffer.from(JSON.stringify(event)), { persistent: true, messageId: row.event_id, contentType: 'application/json' });
  }
  await channel.waitForConfirms();
  await pool.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1)', [rows.map((row) => row.id)]);
  return rows.length;
}

async function relay(): Promise<void> {
  const connection = await amqp.connect(config.amqpUrl);
  const channel = await connection.createConfirmChannel();
  for (;;) {
    try {
      if ((await publishPending(channel)) === 0) await sleep(100);
    } catch (error) {
      console.error(`relay: ${(error as Error).message}; trying again`);
      await sleep(500);
    }
  }
}

if (config.role === 'relay') await relay();
else await service();
