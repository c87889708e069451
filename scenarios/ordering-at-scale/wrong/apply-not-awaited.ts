/**
 * Wrong: eachMessage starts applyEvent but does not await it, so the next message's call
 * starts at once: an account's events run side by side and finish in any order.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, applyEvent, config } from '../../../labs/ordering-at-scale/ledger.js';

const kafka = new Kafka({ clientId: `ledger-writer-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.accountEventsTopic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const event = JSON.parse(message.value?.toString() ?? '{}') as AccountEvent;
    applyEvent(event).catch((error) => console.error(error));
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
