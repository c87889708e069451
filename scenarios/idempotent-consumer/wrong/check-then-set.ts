/**
 * Wrong: checks the mark, gets the quote, posts, then sets the mark. One copy at a time this
 * works; two copies holding the same payment at the same moment both find the mark unset
 * during the slow quote, and both post it.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { type Payment, config, getQuote, ledgerLine } from '../../../labs/idempotent-consumer/payments.js';

const redis = new Redis(config.redisUrl);
const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(5);

await channel.consume(config.paymentsQueue, async (message) => {
  if (message === null) return;
  const payment = JSON.parse(message.content.toString()) as Payment;
  const mark = `${config.keyPrefix}posted:${payment.paymentId}`;
  if (await redis.exists(mark)) {
    channel.ack(message);
    return;
  }
  const result = await getQuote(payment);
  if (!result.ok) {
    channel.nack(message, false, true);
    return;
  }
  await redis.rpush(config.ledgerKey, ledgerLine(payment, result.quote));
  await redis.set(mark, '1', 'EX', 86400);
  channel.ack(message);
});
