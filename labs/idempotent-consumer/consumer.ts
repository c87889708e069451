/**
 * Week 8: the idempotent consumer. Read README.md in this folder first.
 * Grade this file with:  brokerlab check idempotent-consumer
 *
 * The lab runs this program twice. Both copies consume PAYMENTS_QUEUE. Every payment must be
 * posted to the ledger exactly once, though payments come more than once.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { type Payment, config, getQuote, ledgerLine } from './payments.js';

const redis = new Redis(config.redisUrl);
const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(5);

// This posts every payment it receives, copies included, and that is the problem.
// TODO: recognise a payment that was already posted (its paymentId), by any copy of this
//       program and before any restart, and post it only once: the check and the posting
//       must not let two copies both post the same payment at the same moment.
await channel.consume(config.paymentsQueue, async (message) => {
  if (message === null) return;
  const payment = JSON.parse(message.content.toString()) as Payment;
  const result = await getQuote(payment);
  if (!result.ok) {
    channel.nack(message, false, true); // busy: try again
    return;
  }
  await redis.rpush(config.ledgerKey, ledgerLine(payment, result.quote));
  channel.ack(message);
});
