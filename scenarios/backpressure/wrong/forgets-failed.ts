/**
 * WRONG (ack timing): a page whose call failed is only logged, neither acked nor nacked. It
 * stays unacknowledged and holds its prefetch slot for good: the program works on fewer
 * pages at once, and the page comes back to the queue only when the program stops.
 */
import amqp from 'amqplib';
import { type Page, config, recognise } from '../../../labs/backpressure/ocr.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(config.maxInFlight);

await channel.consume(config.pageQueue, async (message) => {
  if (message === null) return;
  const page = JSON.parse(message.content.toString()) as Page;
  try {
    await recognise(page);
    channel.ack(message);
  } catch (error) {
    console.error(`page ${page.pageId}: ${String(error)}`); // the mistake: no nack with requeue
  }
});
