/**
 * Week 2: RabbitMQ worker with acks, prefetch, retries and a dead-letter queue.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check rabbitmq-retry-worker
 */
import amqp from 'amqplib';
import { type Task, config, makeThumbnail } from './thumbnails.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

// TODO 1: declare the dead-letter queue and the tasks queue so that a task that failed
//         config.maxAttempts times ends up in config.deadLetterQueue, with the reason.
await channel.assertQueue(config.tasksQueue, { durable: true });

// TODO 2: limit how many unacknowledged tasks this worker holds (config.prefetchLimit).

await channel.consume(config.tasksQueue, async (message) => {
  if (message === null) return;
  const task = JSON.parse(message.content.toString()) as Task;
  // TODO 3: make the thumbnail with makeThumbnail(task); acknowledge the task only once it
  //         succeeded, and send failures back for another attempt.
  console.log('received', task.taskId);
  void makeThumbnail;
});
