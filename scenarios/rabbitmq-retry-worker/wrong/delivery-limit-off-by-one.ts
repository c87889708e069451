/**
 * Wrong (configuration): the reference's quorum queue, but with x-delivery-limit set to
 * MAX_ATTEMPTS ("the limit is the number of attempts"). RabbitMQ counts redeliveries, not
 * attempts: a poison task is attempted MAX_ATTEMPTS + 1 times before it is dead-lettered.
 * Must fail: dead-lettered-after-attempts (too-many-attempts).
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
    'x-delivery-limit': config.maxAttempts,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': config.deadLetterQueue,
  },
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
