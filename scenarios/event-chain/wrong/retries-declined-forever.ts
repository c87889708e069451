/**
 * Wrong (configuration): the payment service treats every failed charge as temporary and
 * sends the message back to the queue, a declined card (402) too. A decline is final: the
 * order is charged again and again, for ever, and never recorded as failed.
 * Must fail: order-outcomes (retried-declined).
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
      await emit(config.paymentsQueue, { type: 'order.placed', orderId: order.orderId, correlationId: order.correlationId, amount: order.total });
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
      // The payment did not go through: try again later.
      console.error(`charge for ${orderId} failed (${result.error}), retrying`);
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
