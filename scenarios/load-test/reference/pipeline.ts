/**
 * Reference solution: orders are collected into batches, a batch is sent when it holds
 * config.maxBatch orders or 20 ms after its first order came, whichever is first, and
 * several batches may be in flight at once. Each order is acked after the call that carried
 * it answered (nacked with requeue when it failed). The prefetch is several batches deep, so
 * the next batch fills while the last one is being sent.
 */
import amqp, { type ConsumeMessage } from 'amqplib';
import { type Order, config, markAccepted } from '../../../labs/load-test/status.js';

/** How long an order may wait for its batch to fill. */
const FLUSH_MS = 20;

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(config.maxBatch * 5);

let batch: ConsumeMessage[] = [];
let timer: NodeJS.Timeout | undefined;

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  const messages = batch;
  batch = [];
  if (messages.length === 0) return;
  const ids = messages.map((m) => (JSON.parse(m.content.toString()) as Order).orderId);
  markAccepted(ids).then(
    () => messages.forEach((m) => channel.ack(m)),
    (error: unknown) => {
      console.error(`a batch of ${ids.length}: ${String(error)}`);
      messages.forEach((m) => channel.nack(m, false, true));
    },
  );
}

await channel.consume(config.orderQueue, (message) => {
  if (message === null) return;
  batch.push(message);
  if (batch.length >= config.maxBatch) flush();
  else timer ??= setTimeout(flush, FLUSH_MS);
});
