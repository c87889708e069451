/**
 * Wrong: the reference, with marks that expire after a minute ("copies come within
 * seconds"). A copy that comes later than that, as the README says one may, is posted again.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { type Payment, config, getQuote, ledgerLine } from '../../../labs/idempotent-consumer/payments.js';

const MARK_TTL_SECONDS = 60; // "copies come within seconds"
const MARK_AND_POST = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  redis.call('RPUSH', KEYS[2], ARGV[3])
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
    channel.nack(message, false, true); // busy: another attempt, by whichever copy
    return;
  }
  const mark = `${config.keyPrefix}posted:${payment.paymentId}`;
  await redis.eval(MARK_AND_POST, 2, mark, config.ledgerKey, result.quote.quoteId, MARK_TTL_SECONDS, ledgerLine(payment, result.quote));
  channel.ack(message);
});
