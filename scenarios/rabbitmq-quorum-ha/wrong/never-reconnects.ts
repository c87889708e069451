/**
 * Wrong: one connection to the first node of RABBITMQ_URLS, never replaced: when that node
 * dies, every publish fails (500) and the consumer is gone, for the rest of the run.
 */
import amqp, { type ConsumeMessage } from 'amqplib';
import { type Order, config, fulfil, serve } from '../../../labs/rabbitmq-quorum-ha/service.js';

const connection = await amqp.connect(config.rabbitUrls[0]!);
connection.on('error', (error: Error) => console.error('connection error:', error.message));
connection.on('close', () => console.error('connection closed'));
const publisher = await connection.createConfirmChannel();
publisher.on('error', () => {});
await publisher.assertQueue(config.ordersQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });

const consumer = await connection.createChannel();
consumer.on('error', () => {});
await consumer.prefetch(10);
await consumer.consume(config.ordersQueue, (message: ConsumeMessage | null) => {
  if (message === null) return;
  const order = JSON.parse(message.content.toString('utf8')) as Order;
  void fulfil(order).then((ok) => {
    try {
      if (ok) consumer.ack(message);
      else consumer.nack(message, false, true);
    } catch {
      // the channel is gone
    }
  });
});

const stop = serve(async (order: Order) => {
  await new Promise<void>((resolve, reject) => {
    const closed = () => reject(new Error('channel closed'));
    publisher.once('close', closed);
    try {
      publisher.sendToQueue(config.ordersQueue, Buffer.from(JSON.stringify(order)), { persistent: true }, (error: unknown) => {
        publisher.off('close', closed);
        if (error) reject(new Error('not confirmed'));
        else resolve();
      });
    } catch (error) {
      publisher.off('close', closed);
      reject(error as Error);
    }
  });
});

process.on('SIGTERM', () => void stop().finally(() => process.exit(0)));
