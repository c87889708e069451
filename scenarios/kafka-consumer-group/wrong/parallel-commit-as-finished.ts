/**
 * Wrong (concurrency): books a whole batch in parallel ("the ledger is slow, don't wait for
 * one payment before starting the next") and commits each payment's offset + 1 as soon as
 * that payment is booked. Bookings finish out of order: a later payment's commit moves the
 * partition's offset past an earlier one still being booked, and when the copy dies there,
 * the earlier payment is skipped for good.
 * Must fail: no-lost-messages (lost-at-kill), offsets-committed-after-processing (committed-ahead).
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Payment, bookPayment, config } from '../../../labs/kafka-consumer-group/ledger.js';

const kafka = new Kafka({ clientId: `payments-processor-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.paymentsTopic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachBatch: async ({ batch, heartbeat }) => {
    await Promise.all(
      batch.messages.map(async (message) => {
        const payment = JSON.parse(message.value?.toString() ?? '{}') as Payment;
        await bookPayment(payment);
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      }),
    );
    await heartbeat();
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
