/**
 * Wrong (ack timing, concurrency): acks each batch with one multiple ack,
 * channel.ack(last, true), "to save round trips". But several batches are in flight at once:
 * when a later batch answers first, its ack covers the orders of an earlier batch still
 * waiting for its call. When that call then fails (503), nacking its orders names deliveries
 * already acknowledged: RabbitMQ closes the channel (PRECONDITION_FAILED, unknown delivery
 * tag) and the program dies; those orders were acked and are lost.
 * Must fail: program-starts.
 */
import amqp, { type ConsumeMessage } from 'amqplib';
import { type Order, config, markAccepted } from '../../../labs/load-test/status.js';

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
  const last = messages.at(-1);
  if (!last) return;
  const ids = messages.map((m) => (JSON.parse(m.content.toString()) as Order).orderId);
  markAccepted(ids).then(
    () => channel.ack(last, true),
    () => messages.forEach((m) => channel.nack(m, false, true)),
  );
}

await channel.consume(config.orderQueue, (message) => {
  if (message === null) return;
  batch.push(message);
  if (batch.length >= config.maxBatch) flush();
  else timer ??= setTimeout(flush, 20);
});
