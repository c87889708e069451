/**
 * WRONG (latency): no deadline. Each question waits for its reply however long it takes, and
 * a reply that comes after DEADLINE_MS is reported as if it had come in time: the caller on
 * the other side had long given up.
 * Must trip: deadline-kept, cause "late-accepted".
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { type PriceReply, type Question, config, reportAnswer } from '../../../labs/rabbitmq-request-reply/pricing.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
const { queue: replyQueue } = await channel.assertQueue('', { exclusive: true });
const waiting = new Map<string, (price: number) => void>();

await channel.consume(
  replyQueue,
  (message) => {
    if (message === null) return;
    const correlationId = String(message.properties.correlationId);
    const deliver = waiting.get(correlationId);
    if (!deliver) return;
    waiting.delete(correlationId);
    deliver((JSON.parse(message.content.toString()) as PriceReply).price);
  },
  { noAck: true },
);

function askPrice(sku: string): Promise<number> {
  const correlationId = randomUUID();
  return new Promise((resolve) => {
    waiting.set(correlationId, resolve);
    channel.sendToQueue(config.priceRequests, Buffer.from(JSON.stringify({ sku })), { replyTo: replyQueue, correlationId, contentType: 'application/json' });
  });
}

await channel.prefetch(100);
await channel.consume(config.questionsQueue, async (message) => {
  if (message === null) return;
  const { questionId, sku } = JSON.parse(message.content.toString()) as Question;
  const price = await askPrice(sku);
  await reportAnswer({ questionId, price });
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
