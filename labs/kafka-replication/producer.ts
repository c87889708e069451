/**
 * Weeks 4-5: a producer that loses no acknowledged payment when a Kafka broker dies.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check kafka-replication
 */
import { Kafka, logLevel } from 'kafkajs';
import { type PaymentEvent, config, serve } from './service.js';

const kafka = new Kafka({ clientId: 'payments', ...config.kafkaClient, logLevel: logLevel.ERROR });

// TODO: create config.eventsTopic (1 partition) so that it survives the loss of a broker:
//       how many copies, and how many of them must have a write before it counts?

// TODO: choose the producer's settings. The partition's leader will die while you send.
const producer = kafka.producer();
await producer.connect();

const stop = serve(async (event: PaymentEvent) => {
  // TODO: publish the event to config.eventsTopic (its JSON as the value) and resolve only
  //       once Kafka acknowledged it (the lab gets 200 then); throw when the send failed.
  console.log(`received ${event.eventId}`);
});

process.on('SIGTERM', () => void stop().then(() => producer.disconnect()).finally(() => process.exit(0)));
