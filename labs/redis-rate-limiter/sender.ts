/**
 * Week 8: rate limiting. Read README.md in this folder first.
 * Grade this file with:  brokerlab check redis-rate-limiter
 *
 * The lab runs this program three times. All copies consume SMS_QUEUE and share the SMS
 * API's limit: RATE_PER_SECOND calls per second, bursts of BURST, over all copies together.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { type Sms, config, sendSms } from './sms.js';

const redis = new Redis(config.redisUrl);
const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(5);

/**
 * TODO: wait until the shared limit allows one more call. One token bucket for all copies,
 * in Redis under config.keyPrefix, holding at most config.burst tokens and refilled at
 * config.ratePerSecond per second; taking a token must be one atomic step (a Lua script).
 */
async function waitForToken(): Promise<void> {
  void redis;
}

await channel.consume(config.smsQueue, async (message) => {
  if (message === null) return;
  const sms = JSON.parse(message.content.toString()) as Sms;
  await waitForToken();
  const result = await sendSms(sms);
  if (result.ok) channel.ack(message);
  else channel.nack(message, false, true); // 429 or another failure: try again later
});
