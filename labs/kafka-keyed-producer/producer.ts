/**
 * Weeks 4-5: a keyed Kafka producer that keeps every account's events in order, once each,
 * while the network to Kafka breaks.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check kafka-keyed-producer
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, config, serve } from './service.js';

const kafka = new Kafka({ clientId: 'account-events', ...config.kafkaClient, logLevel: logLevel.ERROR });

// TODO: choose the producer's settings. The connection to Kafka will break while batches
//       are being sent: what happens to a send that is retried?
const producer = kafka.producer();
await producer.connect();

const stop = serve(async (events: AccountEvent[]) => {
  // TODO: publish every event of the batch to config.eventsTopic, keyed by its accountId,
  //       and resolve only once Kafka acknowledged all of them (the lab gets 200 then).
  console.log(`received ${events.length} events`);
});

process.on('SIGTERM', () => void stop().then(() => producer.disconnect()).finally(() => process.exit(0)));
