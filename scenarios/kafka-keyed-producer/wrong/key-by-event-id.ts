/**
 * Wrong: the idempotent producer, one send per batch, but keyed by the event id ("a unique
 * key spreads the load evenly over the partitions"). It does: an account's events are spread
 * over all of them, and no consumer can read an account in order.
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
    messages: events.map((event) => ({ key: event.eventId, value: JSON.stringify(event) })),
  });
});

process.on('SIGTERM', () => void stop().then(() => producer.disconnect()).finally(() => process.exit(0)));
