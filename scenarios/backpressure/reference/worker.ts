/**
 * Reference solution: the channel's prefetch is the limit. RabbitMQ delivers at most
 * MAX_IN_FLIGHT pages this program has not acknowledged; each is acked once the OCR service
 * answered, and only then does the next one come. While the service is slow, the backlog
 * waits in the queue, not in this process.
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
    channel.nack(message, false, true);
  }
});
