/**
 * Wrong: the reference's atomic mark-and-post, but a payment that was already posted is
 * skipped without an ack ("nothing to do"): it stays unacknowledged, and goes back to the
 * queue when the program stops.
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
await channel.prefetch(20);

await channel.consume(config.paymentsQueue, async (message) => {
  if (message === null) return;
  const payment = JSON.parse(message.content.toString()) as Payment;
  const result = await getQuote(payment);
  if (!result.ok) {
    channel.nack(message, false, true);
    return;
  }
  const posted = await redis.eval(MARK_AND_POST, 2, `${config.keyPrefix}posted:${payment.paymentId}`, config.ledgerKey, 86400, ledgerLine(payment, result.quote));
  if (posted === 0) return; // a copy: nothing to do
  channel.ack(message);
});
