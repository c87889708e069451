/**
 * Alternative: MAX_IN_FLIGHT worker loops take pages from a local hand-off queue that the
 * consumer fills; a page is acked by the worker once the OCR service answered. The prefetch
 * of MAX_IN_FLIGHT is what bounds the hand-off queue: RabbitMQ sends the next page only after
 * an ack, so the queue never holds more than the workers can take.
 */
import amqp, { type ConsumeMessage } from 'amqplib';
import { type Page, config, recognise } from '../../../labs/backpressure/ocr.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(config.maxInFlight);

const handOff: ConsumeMessage[] = [];
const idle: Array<(message: ConsumeMessage) => void> = [];

function next(): Promise<ConsumeMessage> {
  const message = handOff.shift();
  return message ? Promise.resolve(message) : new Promise((resolve) => idle.push(resolve));
}

async function worker(): Promise<never> {
  for (;;) {
    const message = await next();
    const page = JSON.parse(message.content.toString()) as Page;
    try {
      await recognise(page);
      channel.ack(message);
    } catch (error) {
      console.error(`page ${page.pageId}: ${String(error)}`);
      channel.nack(message, false, true);
    }
  }
}
for (let i = 0; i < config.maxInFlight; i += 1) void worker();

await channel.consume(config.pageQueue, (message) => {
  if (message === null) return;
  const waiting = idle.shift();
  if (waiting) waiting(message);
  else handOff.push(message);
});
