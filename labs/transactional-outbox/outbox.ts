/**
 * Week 12: the transactional outbox. One program, two copies: ROLE=service places orders,
 * ROLE=relay publishes their events. Read README.md first.
 *
 * As it stands the service writes the order but no event, and the relay does nothing: no
 * OrderPlaced event ever reaches RabbitMQ. Make the service write the order AND its outbox
 * row in one transaction, and make the relay publish the outbox (confirms first, then mark
 * the row sent).
 */
import amqp from 'amqplib';
import pg from 'pg';
import { CHECK_VIOLATION, type OrderCommand, config, sleep } from './orders.js';

// A pool opens a new connection when one broke (PostgreSQL restarted).
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
pool.on('error', (error) => console.error(`an idle connection broke: ${error.message}`));

async function service(): Promise<void> {
  const connection = await amqp.connect(config.amqpUrl);
  const channel = await connection.createChannel();
  await channel.prefetch(1);
  await channel.consume(config.ordersQueue, async (message) => {
    if (message === null) return;
    const order = JSON.parse(message.content.toString()) as OrderCommand;
    try {
      // TODO: in the same transaction, insert the order's OrderPlaced event into the outbox.
      await pool.query('INSERT INTO orders (order_id, customer, amount_cents) VALUES ($1, $2, $3) ON CONFLICT (order_id) DO NOTHING', [order.orderId, order.customer, order.amountCents]);
    } catch (error) {
      if ((error as { code?: string }).code !== CHECK_VIOLATION) throw error;
      console.error(`order ${order.orderId} refused: amountCents ${order.amountCents}`);
    }
    channel.ack(message);
  });
}

async function relay(): Promise<void> {
  // TODO: publish the outbox rows whose sent_at is NULL to config.eventsExchange, wait for
  // RabbitMQ's confirms, then set their sent_at.
  for (;;) await sleep(1_000);
}

if (config.role === 'relay') await relay();
else await service();
