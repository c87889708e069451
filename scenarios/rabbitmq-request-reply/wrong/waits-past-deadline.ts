/**
 * WRONG (deadline): "the trip through RabbitMQ takes time too", so it waits DEADLINE_MS + 300 ms
 * before giving up. Replies that come up to 300 ms after the deadline are still reported as
 * prices, and the timeouts come late: the caller was promised an answer within DEADLINE_MS.
 * Must trip: deadline-kept, cause "late-accepted".
 */
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { type Question, config, reportAnswer } from '../../../labs/rabbitmq-request-reply/pricing.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

const waiting = new Map<string, (price: number) => void>();

const { queue: replyQueue } = await channel.assertQueue('', { exclusive: true });
await channel.consume(
  replyQueue,
  (message) => {
    if (message === null) return;
    const id = String(message.properties.correlationId);
    const resolve = waiting.get(id);
    if (!resolve) return; // late or duplicate: drop
    waiting.delete(id);
    const reply = JSON.parse(message.content.toString()) as { price: number };
    resolve(reply.price);
  },
  { noAck: true },
);

function askPrice(sku: string): Promise<number | null> {
  return new Promise((resolve) => {
    const correlationId = randomUUID();
    const timer = setTimeout(() => {
      waiting.delete(correlationId);
      resolve(null);
    }, config.deadlineMs + 300);
    waiting.set(correlationId, (price) => {
      clearTimeout(timer);
      resolve(price);
    });
    channel.sendToQueue(config.priceRequests, Buffer.from(JSON.stringify({ sku })), {
      replyTo: replyQueue,
      correlationId,
    });
  });
}

await channel.prefetch(100);
await channel.consume(config.questionsQueue, async (message) => {
  if (message === null) return;
  const question = JSON.parse(message.content.toString()) as Question;
  const price = await askPrice(question.sku);
  if (price === null) await reportAnswer({ questionId: question.questionId, timedOut: true });
  else await reportAnswer({ questionId: question.questionId, price });
  channel.ack(message);
});
