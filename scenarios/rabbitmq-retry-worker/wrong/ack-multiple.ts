/**
 * Wrong (concurrency): acks with multiple=true ("one ack for everything up to here saves
 * round trips"), skipping tasks an earlier multiple-ack already covered (acking a delivery
 * tag twice closes the channel). The worker handles up to PREFETCH_LIMIT tasks at once and
 * they finish out of order: acking a later task with multiple=true also acknowledges
 * earlier ones that are still being worked on. When the worker dies, those are gone.
 * Must fail: no-lost-messages (lost-at-kill), manual-ack (ack-covers-others).
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
await channel.prefetch(config.prefetchLimit);

/** The highest delivery tag acked so far: everything up to it is acknowledged. */
let ackedUpTo = 0;

await channel.consume(
  config.tasksQueue,
  async (message) => {
    if (message === null) return;
    const task = JSON.parse(message.content.toString()) as Task;
    const result = await makeThumbnail(task);
    const tag = message.fields.deliveryTag;
    if (!result.ok) channel.nack(message, false, true);
    else if (tag > ackedUpTo) {
      channel.ack(message, true);
      ackedUpTo = tag;
    }
  },
  { noAck: false },
);

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
