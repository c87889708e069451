/**
 * Reference solution: one exclusive, server-named reply queue per copy; every request gets a
 * fresh correlationId; a map from correlationId to the waiting caller; the entry is deleted
 * on the first reply or at the deadline, so a late or repeated reply finds nothing and is
 * dropped. Questions are handled concurrently (a generous prefetch), each acked once answered.
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { type PriceReply, type Question, config, reportAnswer } from '../../../labs/rabbitmq-request-reply/pricing.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

// This copy's own reply queue: RabbitMQ names it, and deletes it when the connection closes.
const { queue: replyQueue } = await channel.assertQueue('', { exclusive: true });
const waiting = new Map<string, (price: number) => void>();

await channel.consume(
  replyQueue,
  (message) => {
    if (message === null) return;
    const deliver = waiting.get(String(message.properties.correlationId));
    if (!deliver) return; // late (already timed out) or a second copy: drop it
    const reply = JSON.parse(message.content.toString()) as PriceReply;
    deliver(reply.price);
  },
  { noAck: true },
);

/** Asks the price service; undefined when no reply came within the deadline. */
function askPrice(sku: string): Promise<number | undefined> {
  const correlationId = randomUUID();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(correlationId);
      resolve(undefined);
    }, config.deadlineMs);
    waiting.set(correlationId, (price) => {
      waiting.delete(correlationId);
      clearTimeout(timer);
      resolve(price);
    });
    channel.sendToQueue(config.priceRequests, Buffer.from(JSON.stringify({ sku })), { replyTo: replyQueue, correlationId, contentType: 'application/json' });
  });
}

await channel.prefetch(100);
await channel.consume(config.questionsQueue, async (message) => {
  if (message === null) return;
  const { questionId, sku } = JSON.parse(message.content.toString()) as Question;
  const price = await askPrice(sku);
  await reportAnswer(price === undefined ? { questionId, timedOut: true } : { questionId, price });
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
