/**
 * Wrong (latency): a batch goes out only when it holds 100 orders. Under a steady 1000
 * orders a second that is every 100 ms, and it keeps up; but when the orders stop, the last
 * batch never fills and its orders are never sent (nor acked).
 * Must fail: no-lost-messages (stalled).
 */
import amqp, { type ConsumeMessage } from 'amqplib';
import { type Order, config, markAccepted } from '../../../labs/load-test/status.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(500);

let batch: ConsumeMessage[] = [];

await channel.consume(config.orderQueue, (message) => {
  if (message === null) return;
  batch.push(message);
  if (batch.length < config.maxBatch) return;
  const messages = batch;
  batch = [];
  const ids = messages.map((m) => (JSON.parse(m.content.toString()) as Order).orderId);
  markAccepted(ids).then(
    () => messages.forEach((m) => channel.ack(m)),
    () => messages.forEach((m) => channel.nack(m, false, true)),
  );
});
