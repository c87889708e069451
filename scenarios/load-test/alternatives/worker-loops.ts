/**
 * Alternative: no timer. Deliveries wait in a list; four workers loop, each taking whatever
 * waits (up to config.maxBatch) into one call the moment it is free, and sleeping 1 ms when
 * nothing waits. Under a steady rate the batches size themselves: the busier, the bigger.
 * Each order is acked after its call answered, nacked with requeue when the call failed.
 */
import amqp, { type ConsumeMessage } from 'amqplib';
import { type Order, config, markAccepted } from '../../../labs/load-test/status.js';

const WORKERS = 4;
const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(config.maxBatch * WORKERS * 2);

const waiting: ConsumeMessage[] = [];

async function worker(): Promise<never> {
  for (;;) {
    const messages = waiting.splice(0, config.maxBatch);
    if (messages.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    try {
      await markAccepted(messages.map((m) => (JSON.parse(m.content.toString()) as Order).orderId));
      for (const m of messages) channel.ack(m);
    } catch (error) {
      console.error(`a call of ${messages.length}: ${String(error)}`);
      for (const m of messages) channel.nack(m, false, true);
    }
  }
}

await channel.consume(config.orderQueue, (message) => {
  if (message !== null) waiting.push(message);
});
for (let i = 0; i < WORKERS; i++) void worker();
