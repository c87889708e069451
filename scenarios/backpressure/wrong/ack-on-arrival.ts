/**
 * Wrong: a prefetch of MAX_IN_FLIGHT and MAX_IN_FLIGHT workers, but each page is acked as it
 * arrives and put on an in-memory queue for the workers: the broker sees it done and sends
 * the next, so the whole backlog ends up in this process.
 */
import amqp from 'amqplib';
import { type Page, config, recognise } from '../../../labs/backpressure/ocr.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(config.maxInFlight);

const waiting: Page[] = [];
const idle: Array<() => void> = [];

async function worker(): Promise<never> {
  for (;;) {
    const page = waiting.shift();
    if (page === undefined) {
      await new Promise<void>((resolve) => idle.push(resolve));
      continue;
    }
    try {
      await recognise(page);
    } catch (error) {
      console.error(`page ${page.pageId}: ${String(error)}`);
      waiting.push(page);
    }
  }
}
for (let i = 0; i < config.maxInFlight; i += 1) void worker();

await channel.consume(config.pageQueue, (message) => {
  if (message === null) return;
  waiting.push(JSON.parse(message.content.toString()) as Page);
  channel.ack(message); // taken: "the workers will get to it"
  idle.shift()?.();
});
