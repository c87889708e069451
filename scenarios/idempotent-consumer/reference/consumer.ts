/**
 * Reference solution: quote first (the slow part, harmless to repeat), then mark and post in
 * one atomic step, a Lua script: SET the payment's mark NX (kept a day) and, only if that
 * set it, RPUSH the ledger line. Two copies holding the same payment both get a quote, but
 * only one script can set the mark, so only one line is posted; a copy killed before the
 * script posted nothing and marked nothing, so the redelivered payment is posted by whoever
 * gets it. Ack after the script either way (posted now, or posted before): a copy is done.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { type Payment, config, getQuote, ledgerLine } from '../../../labs/idempotent-consumer/payments.js';

const MARK_TTL_SECONDS = 24 * 60 * 60;
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
