/**
 * Wrong: splits the limit into fixed shares, RATE_PER_SECOND / 3 per copy ("we run three
 * copies"), each paced by a timer. Within the limit while all three run; when one dies, its
 * share is wasted.
 */
import amqp from 'amqplib';
import { type Sms, config, sendSms } from '../../../labs/redis-rate-limiter/sms.js';

const COPIES = 3;
const intervalMs = (1000 * COPIES) / config.ratePerSecond;
const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(5);

let next = Date.now();
async function waitForToken(): Promise<void> {
  const at = Math.max(next, Date.now());
  next = at + intervalMs;
  await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
}

await channel.consume(config.smsQueue, async (message) => {
  if (message === null) return;
  const sms = JSON.parse(message.content.toString()) as Sms;
  await waitForToken();
  const result = await sendSms(sms);
  if (result.ok) channel.ack(message);
  else channel.nack(message, false, true);
});
