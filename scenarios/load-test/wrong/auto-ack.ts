/**
 * Wrong (ack timing): "acks are overhead", so it consumes with noAck: true. Batches and a
 * timer done right, and it keeps up; but RabbitMQ forgets an order the moment it delivers it,
 * so when a call fails (the service is busy now and then: 503) the orders in it cannot go
 * back to the queue: they are lost.
 * Must fail: no-lost-messages (gave-up).
 */
import amqp from 'amqplib';
import { type Order, config, markAccepted } from '../../../labs/load-test/status.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

let batch: string[] = [];
let timer: NodeJS.Timeout | undefined;

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  const ids = batch;
  batch = [];
  if (ids.length === 0) return;
  markAccepted(ids).catch((error: unknown) => console.error(`a batch of ${ids.length}: ${String(error)}`));
}

await channel.consume(
  config.orderQueue,
  (message) => {
    if (message === null) return;
    batch.push((JSON.parse(message.content.toString()) as Order).orderId);
    if (batch.length >= config.maxBatch) flush();
    else timer ??= setTimeout(flush, 20);
  },
  { noAck: true },
);
