/**
 * Wrong: every failure goes straight back with nack(requeue=true) on a plain queue, with no
 * limit. A poison task is retried forever and never reaches the dead-letter queue.
 * Must fail: dead-lettered-after-attempts.
 */
import amqp from 'amqplib';
import { type Task, config, makeThumbnail } from '../../../labs/rabbitmq-retry-worker/thumbnails.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.assertQueue(config.deadLetterQueue, { durable: true });
await channel.assertQueue(config.tasksQueue, { durable: true });
await channel.prefetch(config.prefetchLimit);

await channel.consume(config.tasksQueue, async (message) => {
  if (message === null) return;
  const task = JSON.parse(message.content.toString()) as Task;
  const result = await makeThumbnail(task);
  if (result.ok) channel.ack(message);
  else channel.nack(message, false, true);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
