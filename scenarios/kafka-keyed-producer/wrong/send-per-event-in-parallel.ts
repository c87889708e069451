/**
 * Wrong: one send() per event, all side by side ("faster than one big send"), with the
 * default, non-idempotent producer. Every send is its own request in flight; when the
 * connection breaks they are retried each on its own timer, and an account's events land in
 * a different order (and, when Kafka had written them before the break, twice).
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, config, serve } from '../../../labs/kafka-keyed-producer/service.js';

const kafka = new Kafka({ clientId: 'account-events', ...config.kafkaClient, logLevel: logLevel.ERROR });
const producer = kafka.producer();
await producer.connect();

const stop = serve(async (events: AccountEvent[]) => {
  await Promise.all(
    events.map((event) => producer.send({ topic: config.eventsTopic, acks: -1, messages: [{ key: event.accountId, value: JSON.stringify(event) }] })),
  );
});

process.on('SIGTERM', () => void stop().then(() => producer.disconnect()).finally(() => process.exit(0)));
