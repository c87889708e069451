/**
 * Reference solution. One program, two roles:
 * - at-most-once: consume with auto-ack (noAck: true): RabbitMQ forgets each message as it
 *   sends it, so a crash can lose the ones in hand but nothing ever comes back for a second
 *   write; a failed write is not retried.
 * - at-least-once: manual acks, each message acked on its own only after the ledger said
 *   200; a failed write goes back to the queue (nack with requeue) for another attempt.
 *   A crash gives every unacknowledged message back: nothing lost, some written twice.
 */
import amqp from 'amqplib';
import { type Entry, config, writeEntry } from '../../../labs/rabbitmq-delivery-guarantees/ledger.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

if (config.role === 'at-most-once') {
  await channel.consume(
    config.atMostOnceQueue,
    async (message) => {
      if (message === null) return;
      await writeEntry(JSON.parse(message.content.toString()) as Entry, 'at-most-once');
    },
    { noAck: true },
  );
} else {
  await channel.prefetch(10);
  await channel.consume(
    config.atLeastOnceQueue,
    async (message) => {
      if (message === null) return;
      const result = await writeEntry(JSON.parse(message.content.toString()) as Entry, 'at-least-once');
      if (result.ok) channel.ack(message);
      else channel.nack(message, false, true);
    },
    { noAck: false },
  );
}

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
