/**
 * Alternative correct solution, another style: eachBatch, with the batch's events split into
 * one queue per account. Accounts run side by side (faster than one event at a time), each
 * account's events one after another in offset order. The handler returns only when every
 * queue is done, so kafkajs resolves and commits the batch after its work, and a rebalance
 * waits for it.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, applyEvent, config } from '../../../labs/ordering-at-scale/ledger.js';

const kafka = new Kafka({ clientId: `ledger-writer-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.accountEventsTopic, fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch }) => {
    const queues = new Map<string, AccountEvent[]>();
    for (const message of batch.messages) {
      const event = JSON.parse(message.value?.toString() ?? '{}') as AccountEvent;
      queues.set(event.accountId, [...(queues.get(event.accountId) ?? []), event]);
    }
    await Promise.all(
      [...queues.values()].map(async (events) => {
        for (const event of events) await applyEvent(event);
      }),
    );
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
