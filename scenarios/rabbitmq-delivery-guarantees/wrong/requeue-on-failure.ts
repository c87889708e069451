/**
 * Wrong: the "at-most-once" copy only acks a write that succeeded and sends a failed one back
 * with nack(requeue) ("a failed write wrote nothing, so retrying cannot duplicate"). Each
 * message the ledger refuses once is attempted twice; and a message not acked before the
 * write also comes back after a crash.
 * Must fail: at-most-once (retried-after-failure).
 */
import amqp from 'amqplib';
import { type Entry, config, writeEntry } from '../../../labs/rabbitmq-delivery-guarantees/ledger.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(10);

const queue = config.role === 'at-most-once' ? config.atMostOnceQueue : config.atLeastOnceQueue;

await channel.consume(queue, async (message) => {
  if (message === null) return;
  const result = await writeEntry(JSON.parse(message.content.toString()) as Entry, config.role);
  if (result.ok) channel.ack(message);
  else channel.nack(message, false, true);
});
