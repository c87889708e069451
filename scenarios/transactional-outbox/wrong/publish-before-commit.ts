/**
 * Wrong: the service publishes the event first, "so that it goes out at once", and then
 * writes the order in its transaction. An order the table refuses (amountCents <= 0) rolls
 * back, but its event is already out: consumers hear of an order that never existed.
 */
import amqp from 'amqplib';
import pg from 'pg';
import { CHECK_VIOLATION, EVENT_TYPE, type OrderCommand, type OrderPlaced, ROUTING_KEY, config, sleep } from '../../../labs/transactional-outbox/orders.js';

const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
pool.on('error', (error) => console.error(`an idle connection broke: ${error.message}`));

async function service(): Promise<void> {
  const connection = await amqp.connect(config.amqpUrl);
  const channel = await connection.createConfirmChannel();
  await channel.prefetch(1);
  await channel.consume(config.ordersQueue, async (message) => {
    if (message === null) return;
    const order = JSON.parse(message.content.toString()) as OrderCommand;
    try {
      const event: OrderPlaced = { eventId: `evt-${order.orderId}`, type: EVENT_TYPE, orderId: order.orderId, customer: order.customer, amountCents: order.amountCents };
      channel.publish(config.eventsExchange, ROUTING_KEY, Buffer.from(JSON.stringify(event)), { persistent: true, messageId: event.eventId, contentType: 'application/json' });
      await channel.waitForConfirms();
      await pool.query('INSERT INTO orders (order_id, customer, amount_cents) VALUES ($1, $2, $3) ON CONFLICT (order_id) DO NOTHING', [order.orderId, order.customer, order.amountCents]);
      channel.ack(message);
    } catch (error) {
      if ((error as { code?: string }).code === CHECK_VIOLATION) {
        console.error(`order ${order.orderId} refused: amountCents ${order.amountCents}`);
        channel.ack(message);
        return;
      }
      console.error(`order ${order.orderId} not placed yet: ${(error as Error).message}`);
      await sleep(500);
      channel.nack(message, false, true);
    }
  });
}

if (config.role === 'relay') for (;;) await sleep(1_000); // the service publishes itself
else await service();
