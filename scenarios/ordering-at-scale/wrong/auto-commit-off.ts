/**
 * Wrong: turns kafkajs's autoCommit off ("commit only what we applied, ourselves") and never
 * gets round to committing. Nothing breaks while one copy owns every partition; but each time a
 * partition moves to a new copy, that copy starts it over from the beginning of the topic.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, applyEvent, config } from '../../../labs/ordering-at-scale/ledger.js';

const kafka = new Kafka({ clientId: `ledger-writer-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.accountEventsTopic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ message }) => {
    const event = JSON.parse(message.value?.toString() ?? '{}') as AccountEvent;
    await applyEvent(event);
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
