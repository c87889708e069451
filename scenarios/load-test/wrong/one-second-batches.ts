/**
 * Wrong (configuration): "fewer, bigger calls are cheaper", so it sends whatever came once a
 * second, in calls of 100. It keeps up with 1000 a second easily, but an order waits up to a
 * second in the program before it is sent: p99 near 1000 ms, four times the bound.
 * Must fail: latency-under-load (held-for-batch).
 */
import amqp, { type ConsumeMessage } from 'amqplib';
import { type Order, config, markAccepted } from '../../../labs/load-test/status.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(3000);

let waiting: ConsumeMessage[] = [];

setInterval(() => {
  const messages = waiting;
  waiting = [];
  for (let i = 0; i < messages.length; i += config.maxBatch) {
    const chunk = messages.slice(i, i + config.maxBatch);
    const ids = chunk.map((m) => (JSON.parse(m.content.toString()) as Order).orderId);
    markAccepted(ids).then(
      () => chunk.forEach((m) => channel.ack(m)),
      () => chunk.forEach((m) => channel.nack(m, false, true)),
    );
  }
}, 1000);

await channel.consume(config.orderQueue, (message) => {
  if (message !== null) waiting.push(message);
});
