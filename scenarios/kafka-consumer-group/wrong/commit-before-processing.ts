/**
 * Wrong: commits each payment's offset before booking it ("so we never book twice"). When
 * the copy dies mid-booking, the group already believes that payment is done: lost.
 * Must fail: no-lost-messages (and offsets-committed-after-processing).
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
    await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    const payment = JSON.parse(message.value?.toString() ?? '{}') as Payment;
    await bookPayment(payment);
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
