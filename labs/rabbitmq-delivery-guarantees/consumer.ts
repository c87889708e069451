/**
 * Week 2: at-most-once vs at-least-once. Read README.md in this folder first.
 * Grade this file with:  brokerlab check rabbitmq-delivery-guarantees
 *
 * The lab runs this program twice: the copy with ROLE=at-most-once consumes
 * AT_MOST_ONCE_QUEUE, the copy with ROLE=at-least-once consumes AT_LEAST_ONCE_QUEUE.
 */
import amqp from 'amqplib';
import { type Entry, config, writeEntry } from './ledger.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

const queue = config.role === 'at-most-once' ? config.atMostOnceQueue : config.atLeastOnceQueue;

// TODO 1: decide how this copy acknowledges (config.role):
//   - at-most-once: never process a message twice, even if this copy crashes mid-way;
//   - at-least-once: never lose a message, even if this copy crashes mid-way.
// TODO 2: write each entry to the ledger with writeEntry(entry, config.role). The ledger is
//         busy now and then (a failed write): what does each guarantee do with a failure?
await channel.consume(queue, async (message) => {
  if (message === null) return;
  const entry = JSON.parse(message.content.toString()) as Entry;
  console.log(config.role, 'received', entry.entryId);
  void writeEntry;
});
