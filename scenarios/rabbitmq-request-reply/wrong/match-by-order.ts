/**
 * WRONG (concurrency): matches replies to requests by order. Requests go out in the order
 * the questions came, and each reply is given to the oldest request still waiting, as if the
 * price service answered in order. It does not: replies come back in any order, so a caller
 * gets another caller's price.
 * Must trip: answers-match, cause "mismatched".
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { type PriceReply, type Question, config, reportAnswer } from '../../../labs/rabbitmq-request-reply/pricing.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
const { queue: replyQueue } = await channel.assertQueue('', { exclusive: true });

interface Waiting {
  deliver: (price: number) => void;
}
/** Requests still waiting, oldest first. */
const waiting: Waiting[] = [];

await channel.consume(
  replyQueue,
  (message) => {
    if (message === null) return;
    const reply = JSON.parse(message.content.toString()) as PriceReply;
    waiting.shift()?.deliver(reply.price); // the oldest request gets the next reply
  },
  { noAck: true },
);

function askPrice(sku: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const entry: Waiting = {
      deliver: (price) => {
        clearTimeout(timer);
        resolve(price);
      },
    };
    const timer = setTimeout(() => {
      const i = waiting.indexOf(entry);
      if (i >= 0) waiting.splice(i, 1);
      resolve(undefined);
    }, config.deadlineMs);
    waiting.push(entry);
    channel.sendToQueue(config.priceRequests, Buffer.from(JSON.stringify({ sku })), { replyTo: replyQueue, correlationId: randomUUID(), contentType: 'application/json' });
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
