/**
 * Wrong: counts attempts and gives up after MAX_ATTEMPTS with nack(requeue=false), but the
 * tasks queue has no dead-letter exchange, so RabbitMQ simply drops the task.
 * Must fail: dead-lettered-after-attempts.
 */
import amqp from 'amqplib';
import { type Task, config, makeThumbnail } from '../../../labs/rabbitmq-retry-worker/thumbnails.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.assertQueue(config.deadLetterQueue, { durable: true });
await channel.assertQueue(config.tasksQueue, { durable: true });
await channel.prefetch(config.prefetchLimit);

const attempts = new Map<string, number>();

await channel.consume(config.tasksQueue, async (message) => {
  if (message === null) return;
  const task = JSON.parse(message.content.toString()) as Task;
  const result = await makeThumbnail(task);
  if (result.ok) {
    channel.ack(message);
    return;
  }
  const attempt = (attempts.get(task.taskId) ?? 0) + 1;
  attempts.set(task.taskId, attempt);
  channel.nack(message, false, attempt < config.maxAttempts);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
