/**
 * Wrong: a prefetch of MAX_IN_FLIGHT and a 200 ms timeout on each call "so a slow service
 * cannot hold us up", but a page whose call timed out is only logged: never acked nor
 * nacked. Each one keeps a prefetch slot; once the slow spell has used them all, RabbitMQ
 * sends nothing more and the program stands still.
 */
import amqp from 'amqplib';
import { type Page, config, recognise } from '../../../labs/backpressure/ocr.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(config.maxInFlight);

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);
}

await channel.consume(config.pageQueue, async (message) => {
  if (message === null) return;
  const page = JSON.parse(message.content.toString()) as Page;
  try {
    await withTimeout(recognise(page), 200);
    channel.ack(message);
  } catch (error) {
    console.error(`page ${page.pageId}: ${String(error)}`); // and then? the page is never acked
  }
});
