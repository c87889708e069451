/**
 * Wrong (content of the commit): commits after booking, as it should, but commits the
 * offset of the payment it just booked ("commit what you processed"). Kafka's committed
 * offset is the next one to read, so every partition ends one record short, and a restarted
 * or new member books each partition's last payment again.
 * Must fail: offsets-committed-after-processing (committed-behind).
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Payment, bookPayment, config } from '../../../labs/kafka-consumer-group/ledger.js';

const kafka = new Kafka({ clientId: `payments-processor-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.paymentsTopic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ topic, partition, message }) => {
    const payment = JSON.parse(message.value?.toString() ?? '{}') as Payment;
    await bookPayment(payment);
    await consumer.commitOffsets([{ topic, partition, offset: message.offset }]);
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
