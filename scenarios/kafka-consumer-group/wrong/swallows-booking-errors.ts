/**
 * Wrong (content): "a failing booking must not stop the consumer", so it catches the error,
 * logs it and returns: kafkajs then commits the offset as if the payment were booked. The
 * ledger is sometimes busy (503) and the booking would succeed on a second try; these
 * payments are never booked.
 * Must fail: no-lost-messages (gave-up).
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
    try {
      await bookPayment(payment);
    } catch (error) {
      console.error(`could not book ${payment.paymentId}:`, (error as Error).message);
    }
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
