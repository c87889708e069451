/**
 * Wrong (configuration): each copy acks the way its ROLE says, but picks the other copy's
 * queue (the condition is the wrong way round). The at-most-once queue is consumed the
 * at-least-once way and the other way round.
 * Must fail: at-most-once (wrong-copy), at-least-once (wrong-copy).
 */
import amqp from 'amqplib';
import { type Entry, config, writeEntry } from '../../../labs/rabbitmq-delivery-guarantees/ledger.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

const queue = config.role === 'at-least-once' ? config.atMostOnceQueue : config.atLeastOnceQueue;

if (config.role === 'at-most-once') {
  await channel.consume(
    queue,
    async (message) => {
      if (message === null) return;
      await writeEntry(JSON.parse(message.content.toString()) as Entry, 'at-most-once');
    },
    { noAck: true },
  );
} else {
  await channel.prefetch(10);
  await channel.consume(queue, async (message) => {
    if (message === null) return;
    const result = await writeEntry(JSON.parse(message.content.toString()) as Entry, 'at-least-once');
    if (result.ok) channel.ack(message);
    else channel.nack(message, false, true);
  });
}
