/**
 * Wrong: no prefetch, and "backpressure" by shedding load: a page that arrives while
 * MAX_IN_FLIGHT are in flight is rejected without requeue. In flight stays bounded, but the
 * pages shed are gone (there is no dead-letter queue).
 */
import amqp from 'amqplib';
import { type Page, config, recognise } from '../../../labs/backpressure/ocr.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

let inFlight = 0;
await channel.consume(config.pageQueue, async (message) => {
  if (message === null) return;
  if (inFlight >= config.maxInFlight) {
    channel.nack(message, false, false); // busy: drop it
    return;
  }
  inFlight += 1;
  const page = JSON.parse(message.content.toString()) as Page;
  try {
    await recognise(page);
    channel.ack(message);
  } catch (error) {
    console.error(`page ${page.pageId}: ${String(error)}`);
    channel.nack(message, false, true);
  } finally {
    inFlight -= 1;
  }
});
