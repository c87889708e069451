/**
 * Wrong (configuration): everything as it should be, except that the dead-letter queue is
 * declared non-durable. It works until the broker restarts: then the queue is gone with every
 * failed task in it, the one place that kept them.
 * Must fail: durable-queues (not-durable).
 */
import amqp from 'amqplib';
import { type Task, config, makeThumbnail } from '../../../labs/rabbitmq-retry-worker/thumbnails.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

// "The dead-letter queue is only for looking at failures later, it needn't survive anything."
await channel.assertQueue(config.deadLetterQueue, { durable: false });
await channel.assertQueue(config.tasksQueue, {
  durable: true,
  arguments: {
    'x-queue-type': 'quorum',
    // Delivery count starts at 0 and the message is dead-lettered once it exceeds the
    // limit, so a limit of MAX_ATTEMPTS - 1 allows exactly MAX_ATTEMPTS attempts.
    'x-delivery-limit': config.maxAttempts - 1,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': config.deadLetterQueue,
  },
});
await channel.prefetch(config.prefetchLimit);

await channel.consume(
  config.tasksQueue,
  async (message) => {
    if (message === null) return;
    const task = JSON.parse(message.content.toString()) as Task;
    const result = await makeThumbnail(task);
    if (result.ok) channel.ack(message);
    else channel.nack(message, false, true);
  },
  { noAck: false },
);

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
