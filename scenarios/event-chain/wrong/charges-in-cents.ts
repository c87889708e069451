/**
 * WRONG (content): the payment service charges the total in cents (amount: total * 100,
 * "payment APIs take the smallest currency unit"), but the README says charge the order's total
 * as it is: every customer pays 100 times the price.
 * Must trip: order-outcomes, cause "wrong-amount".
 */
import amqp from 'amqplib';
import { type Order, type OrderPaid, type OrderPlaced, charge, config, ship } from '../../../labs/event-chain/shop.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createConfirmChannel();
await channel.prefetch(10);

async function publish(queue: string, event: object): Promise<void> {
  channel.sendToQueue(queue, Buffer.from(JSON.stringify(event)), { persistent: true, contentType: 'application/json' });
  await channel.waitForConfirms();
}

if (config.role === 'order-service') {
  await channel.assertQueue(config.ordersQueue, { durable: true });
  await channel.assertQueue(config.paymentsQueue, { durable: true });
  await channel.consume(config.ordersQueue, async (message) => {
    if (message === null) return;
    const order = JSON.parse(message.content.toString()) as Order;
    const placed: OrderPlaced = { type: 'order.placed', orderId: order.orderId, correlationId: order.correlationId, amount: order.total };
    await publish(config.paymentsQueue, placed);
    console.log('order placed', order.orderId);
    channel.ack(message);
  }, { noAck: false });
} else if (config.role === 'payment-service') {
  await channel.assertQueue(config.paymentsQueue, { durable: true });
  await channel.assertQueue(config.shippingQueue, { durable: true });
  await channel.consume(config.paymentsQueue, async (message) => {
    if (message === null) return;
    const placed = JSON.parse(message.content.toString()) as OrderPlaced;
    const result = await charge({ orderId: placed.orderId, correlationId: placed.correlationId, amount: Math.round(placed.amount * 100), idempotencyKey: placed.orderId });
    if (result.ok) {
      const paid: OrderPaid = { type: 'order.paid', orderId: placed.orderId, correlationId: placed.correlationId, chargeId: result.chargeId };
      await publish(config.shippingQueue, paid);
      channel.ack(message);
    } else if (result.declined) {
      await publish(config.orderStatusQueue, { type: 'order.failed', orderId: placed.orderId, correlationId: placed.correlationId, reason: 'card declined' });
      channel.ack(message);
    } else {
      console.log('charge failed, retrying', placed.orderId, result.error);
      setTimeout(() => channel.nack(message, false, true), 200);
    }
  }, { noAck: false });
} else if (config.role === 'shipping-service') {
  await channel.assertQueue(config.shippingQueue, { durable: true });
  await channel.consume(config.shippingQueue, async (message) => {
    if (message === null) return;
    const paid = JSON.parse(message.content.toString()) as OrderPaid;
    const result = await ship({ orderId: paid.orderId, correlationId: paid.correlationId });
    if (!result.ok) {
      console.log('ship failed, retrying', paid.orderId, result.error);
      setTimeout(() => channel.nack(message, false, true), 200);
      return;
    }
    await publish(config.orderStatusQueue, { type: 'order.shipped', orderId: paid.orderId, correlationId: paid.correlationId, shipmentId: result.shipmentId });
    channel.ack(message);
  }, { noAck: false });
} else {
  throw new Error(`ROLE must be order-service, payment-service or shipping-service, got "${config.role}"`);
}
