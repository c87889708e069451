/**
 * Wrong: everything right except the prefetch: without channel.prefetch(), RabbitMQ pushes
 * every waiting task to this one worker at once (and a second worker would get nothing).
 * Must fail: bounded-prefetch.
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
    'x-delivery-limit': config.maxAttempts - 1,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': config.deadLetterQueue,
  },
});

await channel.consume(config.tasksQueue, async (message) => {
  if (message === null) return;
  const result = await makeThumbnail(JSON.parse(message.content.toString()) as Task);
  if (result.ok) channel.ack(message);
  else channel.nack(message, false, true);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
