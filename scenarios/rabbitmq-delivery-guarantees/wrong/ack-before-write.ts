/**
 * Wrong (the classic): the "at-least-once" copy acks each message as it arrives, before
 * writing it ("it's in my hands now"). Fine until it crashes: the message being written when
 * it is killed is gone, RabbitMQ having been told it was done.
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
  await channel.consume(config.atLeastOnceQueue, async (message) => {
    if (message === null) return;
    channel.ack(message); // got it: acknowledged before the write
    const entry = JSON.parse(message.content.toString()) as Entry;
    // retry until written: "at least once"
    while (!(await writeEntry(entry, 'at-least-once')).ok) await new Promise((r) => setTimeout(r, 50));
  });
}
