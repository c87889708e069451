/**
 * WRONG (restart-state): the at-most-once copy purges its queue when it starts ("drop
 * leftovers from a previous run", handy while developing). Acking is right (ack first), but
 * after the restart the purge throws away entries the killed copy never held: at-most-once may
 * only lose what the crash took with it.
 * Must trip: at-most-once, cause "discarded".
 */
import amqp from 'amqplib';
import { type Entry, config, writeEntry } from '../../../labs/rabbitmq-delivery-guarantees/ledger.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
const atMostOnce = config.role === 'at-most-once';
const queue = atMostOnce ? config.atMostOnceQueue : config.atLeastOnceQueue;

if (atMostOnce) {
  const { messageCount } = await channel.purgeQueue(queue);
  if (messageCount) console.log('purged', messageCount, 'stale messages');
}
await channel.prefetch(2);

await channel.consume(queue, async (message) => {
  if (message === null) return;
  const entry = JSON.parse(message.content.toString()) as Entry;
  if (atMostOnce) {
    channel.ack(message);
    await writeEntry(entry, config.role);
    return;
  }
  const result = await writeEntry(entry, config.role);
  if (result.ok) channel.ack(message);
  else channel.nack(message, false, true);
});
