/**
 * Wrong: atomic and shared, but keyed by the AMQP message id instead of the paymentId. A
 * redelivery carries the same message id and is recognised; a producer's retry of the same
 * payment comes with a new message id and is posted again.
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
  const payment = JSON.parse(message.content.toString()) as Payment;
  const result = await getQuote(payment);
  if (!result.ok) {
    channel.nack(message, false, true);
    return;
  }
  const mark = `${config.keyPrefix}seen:${String(message.properties.messageId)}`;
  await redis.eval(MARK_AND_POST, 2, mark, config.ledgerKey, 86400, ledgerLine(payment, result.quote));
  channel.ack(message);
});
