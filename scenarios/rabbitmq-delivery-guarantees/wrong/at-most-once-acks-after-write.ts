/**
 * Wrong: the "at-most-once" copy uses manual acks and acks after the write (whatever its
 * result: it never retries, so "it's at most once"). When it is killed mid-write the message
 * was never acked, RabbitMQ gives it to the restarted copy, and it is written a second time.
 * Must fail: at-most-once (redelivered-after-kill).
 */
import amqp from 'amqplib';
import { type Entry, config, writeEntry } from '../../../labs/rabbitmq-delivery-guarantees/ledger.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(10);

const mode = config.role;
const queue = mode === 'at-most-once' ? config.atMostOnceQueue : config.atLeastOnceQueue;

await channel.consume(queue, async (message) => {
  if (message === null) return;
  const result = await writeEntry(JSON.parse(message.content.toString()) as Entry, mode);
  if (mode === 'at-most-once') {
    channel.ack(message); // one try only: done either way
  } else if (result.ok) {
    channel.ack(message);
  } else {
    channel.nack(message, false, true);
  }
});
