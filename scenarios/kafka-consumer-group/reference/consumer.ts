/**
 * Reference solution: one group for all copies; eachMessage awaits the booking, and
 * kafkajs's auto-commit commits an offset only after eachMessage resolved for it.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Payment, bookPayment, config } from '../../../labs/kafka-consumer-group/ledger.js';

const kafka = new Kafka({ clientId: `payments-processor-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.paymentsTopic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const payment = JSON.parse(message.value?.toString() ?? '{}') as Payment;
    await bookPayment(payment);
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
