/**
 * Wrong: the token bucket adds tokens for the time passed but forgets to cap them at BURST:
 * while no messages come, tokens pile up, and the next messages go out all at once.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { type Sms, config, sendSms } from '../../../labs/redis-rate-limiter/sms.js';

const TAKE_TOKEN = `
local now = redis.call('TIME')
local nowMs = now[1] * 1000 + math.floor(now[2] / 1000)
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or burst)
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or nowMs)
tokens = tokens + (nowMs - at) * rate / 1000
if tokens >= 1 then
  redis.call('HSET', KEYS[1], 'tokens', tokens - 1, 'at', nowMs)
  return 0
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', nowMs)
return math.ceil((1 - tokens) * 1000 / rate)`;

const redis = new Redis(config.redisUrl);
const bucket = `${config.keyPrefix}sms-bucket`;
const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(5);

async function waitForToken(): Promise<void> {
  for (;;) {
    const waitMs = Number(await redis.eval(TAKE_TOKEN, 1, bucket, config.ratePerSecond, config.burst));
    if (waitMs === 0) return;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

await channel.consume(config.smsQueue, async (message) => {
  if (message === null) return;
  const sms = JSON.parse(message.content.toString()) as Sms;
  await waitForToken();
  const result = await sendSms(sms);
  if (result.ok) channel.ack(message);
  else channel.nack(message, false, true);
});
