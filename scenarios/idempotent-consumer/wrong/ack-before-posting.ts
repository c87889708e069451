/**
 * Wrong: acks each payment as soon as it arrives, then quotes and posts it (atomically and
 * deduplicated, like the reference). A copy killed in the middle of a quote takes the payment
 * with it: RabbitMQ was already told it was done. A failed quote is simply dropped.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { type Payment, config, getQuote, ledgerLine } from '../../../labs/idempotent-consumer/payments.js';

const MARK_AND_POST = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  return 1
end
return 0`;

const redis = new Redis(config.redisUrl);
const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(5);

await channel.consume(config.paymentsQueue, async (message) => {
  if (message === null) return;
  channel.ack(message); // "got it"
  const payment = JSON.parse(message.content.toString()) as Payment;
  const result = await getQuote(payment);
  if (!result.ok) {
    console.error('quote failed for', payment.paymentId, result.error);
    return;
  }
  await redis.eval(MARK_AND_POST, 2, `${config.keyPrefix}posted:${payment.paymentId}`, config.ledgerKey, 86400, ledgerLine(payment, result.quote));
});
