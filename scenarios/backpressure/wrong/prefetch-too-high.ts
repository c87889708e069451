/**
 * Wrong: MAX_IN_FLIGHT calls at once (a counting semaphore), but a prefetch of 200 "for
 * throughput": RabbitMQ delivers 200 pages that wait in this process, unacknowledged.
 */
import amqp from 'amqplib';
import { type Page, config, recognise } from '../../../labs/backpressure/ocr.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(200);

let free = config.maxInFlight;
const queue: Array<() => void> = [];
async function acquire(): Promise<void> {
  if (free > 0) {
    free -= 1;
    return;
  }
  await new Promise<void>((resolve) => queue.push(resolve));
}
function release(): void {
  const next = queue.shift();
  if (next) next();
  else free += 1;
}

await channel.consume(config.pageQueue, async (message) => {
  if (message === null) return;
  const page = JSON.parse(message.content.toString()) as Page;
  await acquire();
  try {
    await recognise(page);
    channel.ack(message);
  } catch (error) {
    console.error(`page ${page.pageId}: ${String(error)}`);
    channel.nack(message, false, true);
  } finally {
    release();
  }
});
