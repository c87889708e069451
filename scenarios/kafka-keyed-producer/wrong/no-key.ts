/**
 * Wrong: publishes the events without a key ("the account id is in the value anyway"). The
 * producer spreads keyless records over the partitions, so an account's events end up in
 * several partitions and no consumer can read an account in order.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, config, serve } from '../../../labs/kafka-keyed-producer/service.js';

const kafka = new Kafka({ clientId: 'account-events', ...config.kafkaClient, logLevel: logLevel.ERROR });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();

const stop = serve(async (events: AccountEvent[]) => {
  await producer.send({
    topic: config.eventsTopic,
    acks: -1,
    messages: events.map((event) => ({ value: JSON.stringify(event) })),
  });
});

process.on('SIGTERM', () => void stop().then(() => producer.disconnect()).finally(() => process.exit(0)));
