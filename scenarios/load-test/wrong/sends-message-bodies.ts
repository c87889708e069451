/**
 * Wrong (content): batches right, but each "id" sent is the message's whole body (the
 * order's JSON text), not its orderId. The service refuses every call (400: not an order the
 * lab sent); each batch is nacked, comes back, and is refused again.
 * Must fail: sustains-rate (refused).
 */
import amqp, { type ConsumeMessage } from 'amqplib';
import { config, markAccepted } from '../../../labs/load-test/status.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(500);

let batch: ConsumeMessage[] = [];
let timer: NodeJS.Timeout | undefined;

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  const messages = batch;
  batch = [];
  if (messages.length === 0) return;
  markAccepted(messages.map((m) => m.content.toString())).then(
    () => messages.forEach((m) => channel.ack(m)),
    (error: unknown) => {
      console.error(String(error).slice(0, 200));
      messages.forEach((m) => channel.nack(m, false, true));
    },
  );
}

await channel.consume(config.orderQueue, (message) => {
  if (message === null) return;
  batch.push(message);
  if (batch.length >= config.maxBatch) flush();
  else timer ??= setTimeout(flush, 20);
});
