/**
 * Alternative correct solution: direct reply-to (no reply queue of its own: RabbitMQ routes
 * replies straight to this channel's consumer of amq.rabbitmq.reply-to), and one promise per
 * request that settles on the first of its reply and its deadline.
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { type PriceReply, type Question, config, reportAnswer } from '../../../labs/rabbitmq-request-reply/pricing.js';

const REPLY_TO = 'amq.rabbitmq.reply-to';
const connection = await amqp.connect(config.amqpUrl);
// Requests must be published on the channel that consumes amq.rabbitmq.reply-to.
const rpc = await connection.createChannel();
const questions = await connection.createChannel();

const pending = new Map<string, { settle: (price: number | undefined) => void }>();
await rpc.consume(
  REPLY_TO,
  (message) => {
    if (message === null) return;
    pending.get(String(message.properties.correlationId))?.settle((JSON.parse(message.content.toString()) as PriceReply).price);
  },
  { noAck: true },
);

async function askPrice(sku: string): Promise<number | undefined> {
  const correlationId = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<number | undefined>((resolve) => {
      pending.set(correlationId, { settle: resolve });
      timer = setTimeout(() => resolve(undefined), config.deadlineMs);
      rpc.sendToQueue(config.priceRequests, Buffer.from(JSON.stringify({ sku })), { replyTo: REPLY_TO, correlationId });
    });
  } finally {
    // Whatever came first, the call is over: a later reply with this id is dropped.
    pending.delete(correlationId);
    clearTimeout(timer);
  }
}

await questions.prefetch(64);
await questions.consume(config.questionsQueue, async (message) => {
  if (message === null) return;
  const question = JSON.parse(message.content.toString()) as Question;
  const price = await askPrice(question.sku);
  await reportAnswer(price === undefined ? { questionId: question.questionId, timedOut: true } : { questionId: question.questionId, price });
  questions.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
