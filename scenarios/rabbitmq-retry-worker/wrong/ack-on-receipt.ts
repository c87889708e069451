/**
 * Wrong (ack timing): sets the prefetch, but acknowledges each task as soon as it arrives
 * ("so RabbitMQ doesn't redeliver it while we work") and only then makes the thumbnail;
 * failures are republished. An acked task is RabbitMQ's no longer: a crash loses every task
 * the worker holds, and the prefetch never holds anything back because nothing stays
 * unacknowledged.
 * Must fail: no-lost-messages (lost-at-kill), manual-ack (acked-on-receipt),
 * bounded-prefetch (acked-before-work).
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
  channel.ack(message);
  const task = JSON.parse(message.content.toString()) as Task;
  const attempt = Number(message.properties.headers?.['x-attempt'] ?? 1);
  const result = await makeThumbnail(task);
  if (result.ok) return;
  const headers = { 'x-attempt': attempt + 1, 'x-last-error': result.error };
  const target = attempt >= config.maxAttempts ? config.deadLetterQueue : config.tasksQueue;
  channel.sendToQueue(target, message.content, { persistent: true, messageId: task.taskId, headers });
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
