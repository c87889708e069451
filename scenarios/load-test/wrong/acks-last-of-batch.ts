/**
 * Wrong (ack timing): batches and a timer done right, but after a batch's call only its last
 * order is acked, as if that acked the batch: without allUpTo (channel.ack(last, true)) it
 * acks that one order. The others stay unacknowledged, fill the prefetch, and RabbitMQ sends
 * nothing more.
 * Must fail: sustains-rate (stalled), all-acked.
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
    () => channel.ack(last),
    () => channel.nack(last, false, true),
  );
}

await channel.consume(config.orderQueue, (message) => {
  if (message === null) return;
  batch.push(message);
  if (batch.length >= config.maxBatch) flush();
  else timer ??= setTimeout(flush, 20);
});
