/**
 * Wrong (state lost on restart): turns auto-commit off "to control the offsets itself" and
 * remembers the next offset of each partition in a Map, seeking to it after every
 * rebalance. It never commits to Kafka: when a copy dies, its positions die with it, and
 * whoever takes over its partitions starts them over from the beginning.
 * Must fail: offsets-committed-after-processing (never-committed).
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Payment, bookPayment, config } from '../../../labs/kafka-consumer-group/ledger.js';

const kafka = new Kafka({ clientId: `payments-processor-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
const positions = new Map<number, string>();

consumer.on(consumer.events.GROUP_JOIN, () => {
  for (const [partition, offset] of positions) consumer.seek({ topic: config.paymentsTopic, partition, offset });
});

await consumer.connect();
await consumer.subscribe({ topic: config.paymentsTopic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    const payment = JSON.parse(message.value?.toString() ?? '{}') as Payment;
    await bookPayment(payment);
    positions.set(partition, (BigInt(message.offset) + 1n).toString());
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
