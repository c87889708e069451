/**
 * Wrong: applies the whole batch at once with Promise.all, to go faster. The batch holds
 * several events of one account, and whichever call the ledger answers first is applied first.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, applyEvent, config } from '../../../labs/ordering-at-scale/ledger.js';

const kafka = new Kafka({ clientId: `ledger-writer-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.accountEventsTopic, fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch }) => {
    const events = batch.messages.map((m) => JSON.parse(m.value?.toString() ?? '{}') as AccountEvent);
    await Promise.all(events.map((event) => applyEvent(event)));
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
