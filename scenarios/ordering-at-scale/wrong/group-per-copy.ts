/**
 * Wrong: gives each copy a group of its own ("so the copies don't get in each other's way").
 * Every copy then reads every partition from the beginning: each new copy applies again
 * everything the others already applied.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, applyEvent, config } from '../../../labs/ordering-at-scale/ledger.js';

const kafka = new Kafka({ clientId: `ledger-writer-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: `${config.groupId}-${config.instanceId}`, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.accountEventsTopic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const event = JSON.parse(message.value?.toString() ?? '{}') as AccountEvent;
    await applyEvent(event);
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
