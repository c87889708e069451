/**
 * Wrong (content): the order service publishes order.placed to the payment queue and to the
 * shipping queue alike ("both services need to know about a new order"), and the shipping
 * service ships whatever arrives. Orders are shipped before their payment went through,
 * and the ones whose card is declined are shipped all the same.
 * Must fail: order-outcomes (shipped-unpaid).
 */
import amqp from 'amqplib';
import { type Order, type OrderPaid, type OrderPlaced, charge, config, ship } from '../../../labs/event-chain/shop.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createConfirmChannel();
for (const queue of [config.ordersQueue, config.paymentsQueue, config.shippingQueue]) await channel.assertQueue(queue, { durable: true });
await channel.prefetch(10);

type Event = { type: string; orderId: string; correlationId: string } & Record<string, unknown>;

/** Publishes an event (persistent) and resolves once RabbitMQ confirmed it. */
function emit(queue: string, event: Event): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.sendToQueue(
      queue,
      Buffer.from(JSON.stringify(event)),
      { persistent: true, contentType: 'application/json', type: event.type, messageId: event.orderId, correlationId: event.correlationId },
      (error: unknown) => (error ? reject(error) : resolve()),
    );
  });
}

/** Consumes a queue: ack when the work is done, back to the queue (after a pause) when it
 *  may work next time. */
async function handle<T>(queue: string, work: (message: T) => Promise<'done' | 'again'>): Promise<void> {
  await channel.consume(
    queue,
    async (message) => {
      if (message === null) return;
      let outcome: 'done' | 'again';
      try {
        outcome = await work(JSON.parse(message.content.toString()) as T);
      } catch (error) {
        console.error(error);
        outcome = 'again';
      }
      if (outcome === 'done') channel.ack(message);
      else setTimeout(() => channel.nack(message, false, true), 200);
    },
    { noAck: false },
  );
}

switch (config.role) {
  case 'order-service':
    await handle<Order>(config.ordersQueue, async (order) => {
      const placed = { type: 'order.placed', orderId: order.orderId, correlationId: order.correlationId, amount: order.total };
      // Everybody who cares about new orders gets the event.
      await emit(config.paymentsQueue, placed);
      await emit(config.shippingQueue, placed);
      return 'done';
    });
    break;
  case 'payment-service':
    await handle<OrderPlaced>(config.paymentsQueue, async ({ orderId, correlationId, amount }) => {
      const result = await charge({ orderId, correlationId, amount, idempotencyKey: orderId });
      if (result.ok) {
        await emit(config.shippingQueue, { type: 'order.paid', orderId, correlationId, chargeId: result.chargeId });
        return 'done';
      }
      if (result.declined) {
        await emit(config.orderStatusQueue, { type: 'order.failed', orderId, correlationId, reason: result.error });
        return 'done';
      }
      return 'again';
    });
    break;
  case 'shipping-service':
    await handle<OrderPaid>(config.shippingQueue, async ({ orderId, correlationId }) => {
      const result = await ship({ orderId, correlationId });
      if (!result.ok) return 'again';
      await emit(config.orderStatusQueue, { type: 'order.shipped', orderId, correlationId, shipmentId: result.shipmentId });
      return 'done';
    });
    break;
  default:
    throw new Error(`unknown ROLE "${config.role}"`);
}

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
