/**
 * WRONG (latency): one question at a time. channel.prefetch(1), as in RabbitMQ's work-queue
 * tutorial, and the handler waits for each reply before the next question is delivered: the
 * replies are matched correctly, but the callers queue up behind each other and the last
 * ones wait seconds for an answer.
 * Must trip: latency.
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
    const deliver = waiting.get(String(message.properties.correlationId));
    if (!deliver) return;
    deliver((JSON.parse(message.content.toString()) as PriceReply).price);
  },
  { noAck: true },
);

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

await channel.prefetch(1); // fair dispatch, one message at a time
await channel.consume(config.questionsQueue, async (message) => {
  if (message === null) return;
  const { questionId, sku } = JSON.parse(message.content.toString()) as Question;
  const price = await askPrice(sku);
  await reportAnswer(price === undefined ? { questionId, timedOut: true } : { questionId, price });
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
