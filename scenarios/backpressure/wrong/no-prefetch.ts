/**
 * Wrong: acks after the call, but no prefetch: RabbitMQ pushes the whole backlog into this
 * process at once (every page held as a pending handler, a call for each).
 */
import amqp from 'amqplib';
import { type Page, config, recognise } from '../../../labs/backpressure/ocr.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

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
