/**
 * Week 8: backpressure. Read README.md in this folder first.
 * Grade this file with:  brokerlab check backpressure
 *
 * The lab floods PAGE_QUEUE with scanned pages while the OCR service slows to a crawl.
 * Send each page to recognise() and ack it once that answered.
 *
 * TODO: this program lets RabbitMQ push it the whole backlog at once. Keep at most
 * config.maxInFlight pages taken and not yet acknowledged.
 */
import amqp from 'amqplib';
import { type Page, config, recognise } from './ocr.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

await channel.consume(config.pageQueue, async (message) => {
  if (message === null) return;
  const page = JSON.parse(message.content.toString()) as Page;
  try {
    await recognise(page);
    channel.ack(message);
  } catch (error) {
    // The OCR service may refuse a page (503: busy, try again): put it back in the queue.
    console.error(`page ${page.pageId}: ${String(error)}`);
    channel.nack(message, false, true);
  }
});
