/**
 * Wrong: each copy uses its own group id ("so each keeps its own offsets"). Three groups of
 * one member each: every copy reads every partition, nothing is shared, every payment is
 * booked three times.
 * Must fail: group-shares-partitions.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Payment, bookPayment, config } from '../../../labs/kafka-consumer-group/ledger.js';

const kafka = new Kafka({ clientId: `payments-processor-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: `${config.groupId}-${config.instanceId}`, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.paymentsTopic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    await bookPayment(JSON.parse(message.value?.toString() ?? '{}') as Payment);
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
