/**
 * Reference solution: the idempotent producer (one request in flight, as kafkajs's
 * idempotence requires), and a batch sent in one send() call, in the order it came, keyed by
 * account. A send cut off mid-way is retried with the same producer id and sequence numbers,
 * so Kafka writes each event once and in order, whether the first try reached it or not; the
 * 200 goes out only once Kafka acknowledged the whole batch (acks=all).
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
    messages: events.map((event) => ({ key: event.accountId, value: JSON.stringify(event) })),
  });
});

process.on('SIGTERM', () => void stop().then(() => producer.disconnect()).finally(() => process.exit(0)));
