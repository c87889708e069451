/**
 * Wrong: a prefetch of 1: never more than one page in flight, so memory stays flat, but once
 * the service is fast again the backlog goes through one call after another, far too slowly.
 */
import amqp from 'amqplib';
import { type Page, config, recognise } from '../../../labs/backpressure/ocr.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(1);

await channel.consume(config.pageQueue, async (message) => {
  if (message === null) return;
  const page = JSON.parse(message.content.toString()) as Page;
  try {
    await recognise(page);
    channel.ack(message);
  } catch (error) {
    console.error(`page ${page.pageId}: ${String(error)}`);
    channel.nack(message, false, true);
  }
});
