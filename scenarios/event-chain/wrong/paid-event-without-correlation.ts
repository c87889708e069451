/**
 * Wrong (content): the order.paid event leaves the correlationId out ("the shipping service
 * only needs the order id and the charge"). The shipping service passes on what it got:
 * nothing, so the shipment and the order.shipped event carry no correlationId.
 * Must fail: correlation-propagated (missing).
 */
import amqp from 'amqplib';
import { type Order, type OrderPaid, type OrderPlaced, charge, config, ship } from '../../../labs/event-chain/shop.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createConfirmChannel();
for (const queue of [config.ordersQueue, config.paymentsQueue, config.shippingQueue]) await channel.assertQueue(queue, { durable: true });
await channel.prefetch(10);

type Event = { type: string; orderId: string; correlationId?: string } & Record<string, unknown>;

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
        await emit(config.shippingQueue, { type: 'order.paid', orderId, chargeId: result.chargeId });
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
    await handle<Partial<OrderPaid> & { orderId: string }>(config.shippingQueue, async ({ orderId, correlationId }) => {
      const result = await ship({ orderId, correlationId: correlationId as string });
      if (!result.ok) return 'again';
      await emit(config.orderStatusQueue, { type: 'order.shipped', orderId, correlationId, shipmentId: result.shipmentId });
      return 'done';
    });
    break;
  default:
    throw new Error(`unknown ROLE "${config.role}"`);
}

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
