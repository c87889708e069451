/**
 * Wrong: auto-ack. RabbitMQ considers each task done as soon as it is sent to the worker,
 * so every task the worker held when it was killed is gone.
 * Must fail: no-lost-messages (and manual-ack).
 */
import amqp from 'amqplib';
import { type Task, config, makeThumbnail } from '../../../labs/rabbitmq-retry-worker/thumbnails.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.assertQueue(config.deadLetterQueue, { durable: true });
await channel.assertQueue(config.tasksQueue, { durable: true });

await channel.consume(
  config.tasksQueue,
  async (message) => {
    if (message === null) return;
    const task = JSON.parse(message.content.toString()) as Task;
    const result = await makeThumbnail(task);
    if (!result.ok) console.error(`thumbnail for ${task.taskId} failed: ${result.error}`);
  },
  { noAck: true },
);
