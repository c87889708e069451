/**
 * Wrong: starts the send and returns without awaiting it ("the producer retries anyway, and
 * the lab gets a fast answer"). The 200 goes out before Kafka has the events, and the lab
 * sends the next batch at once: while the connection is broken, sends pile up side by side,
 * which kafkajs's idempotent producer does not support (they share sequence numbers; Kafka
 * refuses some as out of order and kafkajs gives them up): events answered 200 are never
 * written, and others are written seconds after their 200.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, config, serve } from '../../../labs/kafka-keyed-producer/service.js';

const kafka = new Kafka({ clientId: 'account-events', ...config.kafkaClient, logLevel: logLevel.ERROR });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();

const stop = serve(async (events: AccountEvent[]) => {
  producer
    .send({ topic: config.eventsTopic, acks: -1, messages: events.map((event) => ({ key: event.accountId, value: JSON.stringify(event) })) })
    .catch((error: unknown) => console.error('send failed', error));
});

process.on('SIGTERM', () => void stop().then(() => producer.disconnect()).finally(() => process.exit(0)));
