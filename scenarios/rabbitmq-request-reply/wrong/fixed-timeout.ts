/**
 * WRONG (configuration): a timeout of its own. The deadline is a constant in the code (half
 * a second "is plenty for a price lookup") instead of DEADLINE_MS, so slower replies that
 * would have come in time are given up, and timeouts are reported too early.
 * Must trip: deadline-kept, cause "gave-up-early".
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { type PriceReply, type Question, config, reportAnswer } from '../../../labs/rabbitmq-request-reply/pricing.js';

const TIMEOUT_MS = 500;

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
    }, TIMEOUT_MS);
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
