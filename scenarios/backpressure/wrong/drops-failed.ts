/**
 * WRONG (ack timing): a page whose call failed is nacked WITHOUT requeue. With no dead-letter
 * queue RabbitMQ deletes it: the 503 was temporary (busy, try again), and the page is lost.
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
    console.error(`page ${page.pageId}: ${String(error)}`);
    channel.nack(message, false, false); // the mistake: requeue false drops the page
  }
});
