/**
 * Reference solution: a quorum queue counts deliveries and dead-letters a task after
 * MAX_ATTEMPTS attempts (x-delivery-limit = MAX_ATTEMPTS - 1 redeliveries); manual acks
 * after the API said 200; bounded prefetch; failures go back with nack(requeue).
 */
import amqp from 'amqplib';
import { type Task, config, makeThumbnail } from '../../../labs/rabbitmq-retry-worker/thumbnails.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

await channel.assertQueue(config.deadLetterQueue, { durable: true });
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
