/**
 * Wrong (configuration): batches done right, starved by the prefetch. Orders are collected
 * and sent every 50 ms (or at 100), acked after the call, but the channel's prefetch is 10:
 * RabbitMQ hands over at most 10 unacknowledged orders, so a batch never holds more than 10,
 * and 10 orders per 55 ms is under 200 a second.
 * Must fail: sustains-rate (in-flight-capped), latency-under-load (fell-behind).
 */
import amqp, { type ConsumeMessage } from 'amqplib';
import { type Order, config, markAccepted } from '../../../labs/load-test/status.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(10);

let batch: ConsumeMessage[] = [];

async function flush(): Promise<void> {
  const messages = batch;
  batch = [];
  if (messages.length === 0) return;
  const ids = messages.map((m) => (JSON.parse(m.content.toString()) as Order).orderId);
  try {
    await markAccepted(ids);
    messages.forEach((m) => channel.ack(m));
  } catch (error) {
    console.error(String(error));
    messages.forEach((m) => channel.nack(m, false, true));
  }
}

setInterval(() => void flush(), 50);

await channel.consume(config.orderQueue, (message) => {
  if (message === null) return;
  batch.push(message);
  if (batch.length >= config.maxBatch) void flush();
});
