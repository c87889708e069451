/**
 * Wrong (state lost on restart): the "at-most-once" copy acks after the write but remembers
 * the ids it has written in a Set, and skips a message it has seen ("a redelivery will be
 * recognised"). The Set dies with the copy: after the kill the redelivered message is new to
 * the restarted copy and written again.
 * Must fail: at-most-once (redelivered-after-kill).
 */
import amqp from 'amqplib';
import { type Entry, config, writeEntry } from '../../../labs/rabbitmq-delivery-guarantees/ledger.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(10);

const written = new Set<string>();

if (config.role === 'at-most-once') {
  await channel.consume(config.atMostOnceQueue, async (message) => {
    if (message === null) return;
    const entry = JSON.parse(message.content.toString()) as Entry;
    if (written.has(entry.entryId)) {
      channel.ack(message); // seen it: never twice
      return;
    }
    written.add(entry.entryId);
    await writeEntry(entry, 'at-most-once');
    channel.ack(message);
  });
} else {
  await channel.consume(config.atLeastOnceQueue, async (message) => {
    if (message === null) return;
    const result = await writeEntry(JSON.parse(message.content.toString()) as Entry, 'at-least-once');
    if (result.ok) channel.ack(message);
    else channel.nack(message, false, true);
  });
}
