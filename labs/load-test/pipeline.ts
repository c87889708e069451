/**
 * Week 8: load test. Read README.md in this folder first.
 * Grade this file with:  brokerlab check load-test
 *
 * Orders arrive on ORDER_QUEUE, 1000 a second. Tell the order-status service that each one is
 * accepted (markAccepted), then ack it.
 *
 * TODO: this program is correct but far too slow: one order per call, one call at a time,
 * each waiting for the last. Keep up with 1000 orders a second, p99 latency under 250 ms.
 */
import amqp from 'amqplib';
import { type Order, config, markAccepted } from './status.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(1);

await channel.consume(config.orderQueue, async (message) => {
  if (message === null) return;
  const order = JSON.parse(message.content.toString()) as Order;
  try {
    await markAccepted([order.orderId]);
    channel.ack(message);
  } catch (error) {
    console.error(`order ${order.orderId}: ${String(error)}`);
    channel.nack(message, false, true);
  }
});
