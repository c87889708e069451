/**
 * Wrong (state lost on a crash): turns autoCommit off and remembers, per partition, the next
 * offset to read; it commits them all when it is stopped ("one commit instead of hundreds").
 * Nothing is lost, and a clean shutdown leaves the right offsets. But the copy that is
 * SIGKILLed never gets to commit: the survivors start its partitions over and book every
 * one of its payments a second time.
 * Must fail: duplicates-only-after-crash (uncommitted-progress).
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Payment, bookPayment, config } from '../../../labs/kafka-consumer-group/ledger.js';

const kafka = new Kafka({ clientId: `payments-processor-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
const next = new Map<number, string>();

await consumer.connect();
await consumer.subscribe({ topic: config.paymentsTopic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    await bookPayment(JSON.parse(message.value?.toString() ?? '{}') as Payment);
    next.set(partition, (BigInt(message.offset) + 1n).toString());
  },
});

process.on('SIGTERM', () => {
  const offsets = [...next].map(([partition, offset]) => ({ topic: config.paymentsTopic, partition, offset }));
  void consumer
    .commitOffsets(offsets)
    .catch(() => {})
    .finally(() => consumer.disconnect().finally(() => process.exit(0)));
});
