/**
 * Wrong (concurrency): the at-least-once copy acks after the write, but with
 * ack(message, true) ("multiple: fewer acks, faster"). With 10 messages written at once and
 * finishing in any order, the ack of a later one also acknowledges an earlier one still being
 * written; killed then, that one is gone. It skips tags a later ack already covered (acking
 * a delivery tag twice closes the channel).
 * Must fail: no-lost-messages (lost-at-kill), at-least-once (not-redelivered).
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
  /** The highest delivery tag acked so far: everything up to it is acknowledged (acking or
   *  nacking a tag twice closes the channel). */
  let ackedUpTo = 0;
  await channel.consume(config.atLeastOnceQueue, async (message) => {
    if (message === null) return;
    const result = await writeEntry(JSON.parse(message.content.toString()) as Entry, 'at-least-once');
    const tag = message.fields.deliveryTag;
    if (tag <= ackedUpTo) return; // already covered by a later ack
    if (result.ok) {
      channel.ack(message, true); // everything up to here is done
      ackedUpTo = tag;
    } else {
      channel.nack(message, false, true);
    }
  });
}
