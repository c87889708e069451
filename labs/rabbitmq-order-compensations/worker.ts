/**
 * Week 6 project: order processing with compensations. Read README.md in this folder first.
 * Grade this file with:  brokerlab check rabbitmq-order-compensations
 */
import amqp from 'amqplib';
import { type Order, bookShipment, chargePayment, config, refundPayment, releaseStock, reserveStock } from './orders.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.assertQueue(config.ordersQueue, { durable: true });
await channel.prefetch(5);

await channel.consume(config.ordersQueue, async (message) => {
  if (message === null) return;
  const order = JSON.parse(message.content.toString()) as Order;
  console.log('order', order.orderId);
  // TODO 1: take the order through its steps, in order: reserveStock, chargePayment,
  //         bookShipment, each with an idempotency key of its own (orderId + ":reserve", ...).
  // TODO 2: a result with refused: true is final: undo every step that went through before,
  //         last one first (refundPayment, then releaseStock), each once, with its own key.
  //         Any other failure (503, no answer) is not final: try the same call again.
  // TODO 3: publish {"orderId", "status": "completed" | "cancelled"} to config.orderStatusQueue,
  //         then ack. The lab kills this program while it compensates an order.
  void [reserveStock, chargePayment, bookShipment, refundPayment, releaseStock];
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
