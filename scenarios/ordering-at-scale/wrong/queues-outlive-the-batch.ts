/**
 * Wrong: a queue per account (right), kept across batches and worked in the background: eachBatch
 * only puts the events in their queues and returns. kafkajs then commits the batch at once and,
 * at a rebalance, hands the partition to another copy while this one still works through
 * the account's earlier events: for a moment two copies apply one account.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, applyEvent, config } from '../../../labs/ordering-at-scale/ledger.js';

const kafka = new Kafka({ clientId: `ledger-writer-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

/** Each account's work so far: the next event is applied when the previous one is. */
const queues = new Map<string, Promise<void>>();

await consumer.connect();
await consumer.subscribe({ topic: config.accountEventsTopic, fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch }) => {
    for (const message of batch.messages) {
      const event = JSON.parse(message.value?.toString() ?? '{}') as AccountEvent;
      const previous = queues.get(event.accountId) ?? Promise.resolve();
      queues.set(event.accountId, previous.then(() => applyEvent(event)).catch((error) => console.error(error)));
    }
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
