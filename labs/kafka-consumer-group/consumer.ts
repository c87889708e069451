/**
 * Weeks 4-5: a Kafka consumer group that shares the work and loses nothing when a member dies.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check kafka-consumer-group
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Payment, bookPayment, config } from './ledger.js';

const kafka = new Kafka({ clientId: `payments-processor-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });

// config.groupTimings: short session and fetch waits, so the group notices a dead copy in
// seconds (see ledger.ts for why production uses longer ones).
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.paymentsTopic, fromBeginning: true });

await consumer.run({
  eachMessage: async ({ message }) => {
    const payment = JSON.parse(message.value?.toString() ?? '{}') as Payment;
    // TODO: book the payment with bookPayment(payment). Its offset must be committed only
    //         after the ledger confirmed it.
    console.log('received', payment.paymentId);
    void bookPayment;
  },
});

// Leave the group cleanly when the lab stops this copy.
process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
