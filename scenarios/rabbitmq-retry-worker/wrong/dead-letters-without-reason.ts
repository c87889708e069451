/**
 * Wrong (content): keeps the attempt count in a header of the message itself (so it
 * survives a crash) and moves a task to the dead-letter queue after the last attempt, but
 * forgets to say why: the dead-lettered copy carries no x-last-error, and since the worker
 * moved it itself, RabbitMQ added no x-death either.
 * Must fail: dead-lettered-after-attempts (no-reason).
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
  const target = attempt >= config.maxAttempts ? config.deadLetterQueue : config.tasksQueue;
  channel.sendToQueue(target, message.content, { persistent: true, messageId: task.taskId, headers: { 'x-attempt': attempt + 1 } });
  await channel.waitForConfirms();
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
