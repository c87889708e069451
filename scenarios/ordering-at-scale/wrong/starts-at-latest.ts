/**
 * Wrong: subscribes without fromBeginning. A new group then starts at the end of the topic,
 * and the events already on it when the first copy starts are never applied.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, applyEvent, config } from '../../../labs/ordering-at-scale/ledger.js';

const kafka = new Kafka({ clientId: `ledger-writer-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.accountEventsTopic });
await consumer.run({
  eachMessage: async ({ message }) => {
    const event = JSON.parse(message.value?.toString() ?? '{}') as AccountEvent;
    await applyEvent(event);
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
