/**
 * Wrong: noAck consumption, collecting what arrives for 100 ms and sending the batch with
 * Promise.all: with auto-ack there is no prefetch limit at all, every page delivered at
 * once is acked at once, and a batch is as large as the backlog.
 */
import amqp from 'amqplib';
import { type Page, config, recognise } from '../../../labs/backpressure/ocr.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(config.maxInFlight); // has no effect with noAck

let batch: Page[] = [];
setInterval(() => {
  const pages = batch;
  batch = [];
  void Promise.all(
    pages.map((page) =>
      recognise(page).catch((error: unknown) => {
        console.error(`page ${page.pageId}: ${String(error)}`);
        batch.push(page);
      }),
    ),
  );
}, 100);

await channel.consume(
  config.pageQueue,
  (message) => {
    if (message !== null) batch.push(JSON.parse(message.content.toString()) as Page);
  },
  { noAck: true },
);
