/**
 * Wrong: the shared Lua bucket, but its own call to the SMS API, with the text under "body"
 * (the provider's other API calls it that). The API refuses every call.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { type Sms, config } from '../../../labs/redis-rate-limiter/sms.js';

const TAKE_TOKEN = `
local now = redis.call('TIME')
local nowMs = now[1] * 1000 + math.floor(now[2] / 1000)
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or burst)
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or nowMs)
tokens = math.min(burst, tokens + (nowMs - at) * rate / 1000)
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
  const response = await fetch(`${config.smsApiUrl}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-instance-id': config.instanceId },
    body: JSON.stringify({ smsId: sms.smsId, to: sms.to, body: sms.text }),
  });
  const result = { ok: response.ok };
  if (result.ok) channel.ack(message);
  else channel.nack(message, false, true);
});
