/**
 * Wrong: no outbox. The service commits the order, then publishes its event itself and acks
 * the command (a dual write); the relay has nothing to do. Killed between the commit and the
 * publish, the event is lost: the command comes again, finds the order already placed, and
 * is acked without an event.
 */
import { randomUUID } from 'node:crypto';
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
      const inserted = await pool.query('INSERT INTO orders (order_id, customer, amount_cents) VALUES ($1, $2, $3) ON CONFLICT (order_id) DO NOTHING', [order.orderId, order.customer, order.amountCents]);
      if (inserted.rowCount === 1) {
        const event: OrderPlaced = { eventId: randomUUID(), type: EVENT_TYPE, orderId: order.orderId, customer: order.customer, amountCents: order.amountCents };
        channel.publish(config.eventsExchange, ROUTING_KEY, Buffer.from(JSON.stringify(event)), { persistent: true, messageId: event.eventId, contentType: 'application/json' });
        await channel.waitForConfirms();
      }
      channel.ack(message);
    } catch (error) {
      if ((error as { code?: string }).code === CHECK_VIOLATION) {
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
