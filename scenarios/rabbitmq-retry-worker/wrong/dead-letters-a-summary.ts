/**
 * Wrong (content): counts attempts in a header of the message (safe across restarts) and
 * after the last one publishes to the dead-letter queue a short summary instead of the task
 * ("the error is all anyone needs"): { taskId, error }. The image and width are gone, and so
 * is the messageId: nobody can retry the task from the dead-letter queue.
 * Must fail: dead-lettered-after-attempts (body-changed).
 */
import amqp from 'amqplib';
import { type Task, config, makeThumbnail } from '../../../labs/rabbitmq-retry-worker/thumbnails.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createConfirmChannel();

await channel.assertQueue(config.deadLetterQueue, { durable: true });
await channel.assertQueue(config.tasksQueue, { durable: true });
await channel.prefetch(config.prefetchLimit);

await channel.consume(config.tasksQueue, async (message) => {
  if (message === null) return;
  const task = JSON.parse(message.content.toString()) as Task;
  const attempt = Number(message.properties.headers?.['x-attempt'] ?? 1);
  const result = await makeThumbnail(task);
  if (result.ok) {
    channel.ack(message);
    return;
  }
  if (attempt >= config.maxAttempts) {
    const summary = { taskId: task.taskId, error: result.error };
    channel.sendToQueue(config.deadLetterQueue, Buffer.from(JSON.stringify(summary)), { persistent: true, headers: { 'x-last-error': result.error } });
  } else {
    channel.sendToQueue(config.tasksQueue, message.content, { persistent: true, messageId: task.taskId, headers: { 'x-attempt': attempt + 1 } });
  }
  await channel.waitForConfirms();
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
