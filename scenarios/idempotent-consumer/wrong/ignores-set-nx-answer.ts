/**
 * Wrong: gets the quote, sets the mark with SET NX, then posts, without looking at what SET
 * NX answered ("the mark is set either way"). Every copy of a payment is posted again.
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
  const result = await getQuote(payment);
  if (!result.ok) {
    channel.nack(message, false, true);
    return;
  }
  await redis.set(`${config.keyPrefix}posted:${payment.paymentId}`, '1', 'EX', 86400, 'NX');
  await redis.rpush(config.ledgerKey, ledgerLine(payment, result.quote));
  channel.ack(message);
});
