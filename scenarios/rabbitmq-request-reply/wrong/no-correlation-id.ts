/**
 * WRONG (content): no correlationId. Each request waits with a consumer of its own on the
 * copy's reply queue and takes the first reply that consumer gets. With many requests in
 * flight RabbitMQ hands the replies to those consumers in turn, not to the request they
 * answer, and nothing in a reply says which request that is.
 * Must trip: answers-match, cause "no-correlation-id".
 */
import amqp from 'amqplib';
import { type PriceReply, type Question, config, reportAnswer } from '../../../labs/rabbitmq-request-reply/pricing.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
const { queue: replyQueue } = await channel.assertQueue('', { exclusive: true });

async function askPrice(sku: string): Promise<number | undefined> {
  let consumerTag = '';
  const price = new Promise<number | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), config.deadlineMs);
    void channel
      .consume(
        replyQueue,
        (message) => {
          if (message === null) return;
          clearTimeout(timer);
          resolve((JSON.parse(message.content.toString()) as PriceReply).price);
        },
        { noAck: true },
      )
      .then((ok) => {
        consumerTag = ok.consumerTag;
        channel.sendToQueue(config.priceRequests, Buffer.from(JSON.stringify({ sku })), { replyTo: replyQueue, contentType: 'application/json' });
      });
  });
  const result = await price;
  if (consumerTag) await channel.cancel(consumerTag);
  return result;
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
