/**
 * WRONG (content): one correlationId for the whole program, made at start-up ("this client's
 * id"). Every request carries the same id, so each new question overwrites the previous one's
 * entry in the map, and replies go to whichever question asked last.
 * Must trip: answers-match, cause "no-correlation-id".
 */
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { type Question, config, reportAnswer } from '../../../labs/rabbitmq-request-reply/pricing.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
const correlationId = randomUUID();
const waiting = new Map<string, (price: number) => void>();

const { queue: replyQueue } = await channel.assertQueue('', { exclusive: true });
await channel.consume(replyQueue, (message) => {
  if (message === null) return;
  const id = String(message.properties.correlationId);
  const resolve = waiting.get(id);
  if (!resolve) return;
  waiting.delete(id);
  resolve(JSON.parse(message.content.toString()).price);
}, { noAck: true });

function askPrice(sku: string): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { waiting.delete(correlationId); resolve(null); }, config.deadlineMs);
    waiting.set(correlationId, (price) => { clearTimeout(timer); resolve(price); });
    channel.sendToQueue(config.priceRequests, Buffer.from(JSON.stringify({ sku })), { replyTo: replyQueue, correlationId });
  });
}

await channel.prefetch(100);
await channel.consume(config.questionsQueue, async (message) => {
  if (message === null) return;
  const question = JSON.parse(message.content.toString()) as Question;
  const price = await askPrice(question.sku);
  await reportAnswer(price === null ? { questionId: question.questionId, timedOut: true } : { questionId: question.questionId, price });
  channel.ack(message);
});
