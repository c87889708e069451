/**
 * Wrong (configuration): lets a quorum queue count the attempts (x-delivery-limit), but
 * forgets the dead-letter exchange. When a task exceeds the limit RabbitMQ has nowhere to
 * send it, so it simply drops it.
 * Must fail: dead-lettered-after-attempts (dropped).
 */
import amqp from 'amqplib';
import { type Task, config, makeThumbnail } from '../../../labs/rabbitmq-retry-worker/thumbnails.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

await channel.assertQueue(config.deadLetterQueue, { durable: true });
await channel.assertQueue(config.tasksQueue, {
  durable: true,
  arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': config.maxAttempts - 1 },
});
await channel.prefetch(config.prefetchLimit);

await channel.consume(
  config.tasksQueue,
  async (message) => {
    if (message === null) return;
    const result = await makeThumbnail(JSON.parse(message.content.toString()) as Task);
    if (result.ok) channel.ack(message);
    else channel.nack(message, false, true);
  },
  { noAck: false },
);

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
