/**
 * Reference solution: one group for all copies; eachMessage awaits each event, so a copy
 * applies a partition's events one at a time in offset order (and an account's events are all
 * in one partition). kafkajs commits an offset only after eachMessage resolved for it, and
 * before it gives a partition up at a rebalance, so its new owner goes on where this one stopped.
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
    await applyEvent(event);
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
