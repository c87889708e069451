/**
 * Wrong (configuration): a clean kafkajs consumer, but without the lab's consumer timings
 * ("the defaults are fine"). kafkajs's default session timeout is 30 s: when a copy is
 * killed, the group waits that long before handing its partitions to a survivor, and the
 * payments in them wait with it.
 * Must fail: no-lost-messages (not-taken-over).
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Payment, bookPayment, config } from '../../../labs/kafka-consumer-group/ledger.js';

const kafka = new Kafka({ clientId: `payments-processor-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId });

await consumer.connect();
await consumer.subscribe({ topic: config.paymentsTopic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    await bookPayment(JSON.parse(message.value?.toString() ?? '{}') as Payment);
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
