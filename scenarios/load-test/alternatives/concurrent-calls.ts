/**
 * Alternative: no batches at all. One order per call, but never waiting for one call before
 * the next: amqplib runs the handler for every delivery at once, and a prefetch of 64 lets
 * up to 64 calls be in flight. The service's 8 workers then answer about 1500 single-order
 * calls a second: enough for 1000, with a knee lower than the reference's.
 */
import amqp from 'amqplib';
import { type Order, config, markAccepted } from '../../../labs/load-test/status.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(64);

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
