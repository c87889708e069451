/**
 * Weeks 4-5: a Kafka consumer group that shares the work and loses nothing when a member dies.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check kafka-consumer-group
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Payment, bookPayment, config } from './ledger.js';

const kafka = new Kafka({ clientId: `payments-processor-${config.instanceId}`, brokers: config.brokers, logLevel: logLevel.ERROR });

// TODO 1: the group notices a dead member only when its session times out (default 30 s).
//         Set sessionTimeout: 10_000 and heartbeatInterval: 1_000 here.
const consumer = kafka.consumer({ groupId: config.groupId });

await consumer.connect();
await consumer.subscribe({ topic: config.paymentsTopic, fromBeginning: true });

await consumer.run({
  eachMessage: async ({ message }) => {
    const payment = JSON.parse(message.value?.toString() ?? '{}') as Payment;
    // TODO 2: book the payment with bookPayment(payment). Its offset must be committed only
    //         after the ledger confirmed it.
    console.log('received', payment.paymentId);
    void bookPayment;
  },
});

// Leave the group cleanly when the lab stops this copy.
process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
