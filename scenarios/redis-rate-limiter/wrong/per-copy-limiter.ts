/**
 * Wrong: a correct token bucket, but in each copy's memory. Each copy keeps to the limit on
 * its own, so the three copies together send three times the rate.
 */
import amqp from 'amqplib';
import { type Sms, config, sendSms } from '../../../labs/redis-rate-limiter/sms.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(5);

let tokens = config.burst;
let at = Date.now();
async function waitForToken(): Promise<void> {
  for (;;) {
    const now = Date.now();
    tokens = Math.min(config.burst, tokens + ((now - at) * config.ratePerSecond) / 1000);
    at = now;
    if (tokens >= 1) {
      tokens -= 1;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - tokens) * 1000) / config.ratePerSecond)));
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
