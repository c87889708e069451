/**
 * WRONG (content): answers twice when the price service sends a reply twice. Replies are
 * dispatched with an EventEmitter by correlationId, and the listener is added with .on(), so
 * it stays after the first reply: the second copy of the reply reports the price again.
 * Must trip: answers-match, cause "answered-twice".
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import amqp from 'amqplib';
import { type PriceReply, type Question, config, reportAnswer } from '../../../labs/rabbitmq-request-reply/pricing.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
const { queue: replyQueue } = await channel.assertQueue('', { exclusive: true });
const replies = new EventEmitter();
replies.setMaxListeners(0);

await channel.consume(
  replyQueue,
  (message) => {
    if (message === null) return;
    replies.emit(String(message.properties.correlationId), (JSON.parse(message.content.toString()) as PriceReply).price);
  },
  { noAck: true },
);

await channel.prefetch(100);
await channel.consume(config.questionsQueue, async (message) => {
  if (message === null) return;
  const { questionId, sku } = JSON.parse(message.content.toString()) as Question;
  const correlationId = randomUUID();
  await new Promise<void>((done) => {
    const timer = setTimeout(async () => {
      replies.removeAllListeners(correlationId);
      await reportAnswer({ questionId, timedOut: true });
      done();
    }, config.deadlineMs);
    replies.on(correlationId, async (price: number) => {
      clearTimeout(timer);
      await reportAnswer({ questionId, price });
      done();
    });
    channel.sendToQueue(config.priceRequests, Buffer.from(JSON.stringify({ sku })), { replyTo: replyQueue, correlationId, contentType: 'application/json' });
  });
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
