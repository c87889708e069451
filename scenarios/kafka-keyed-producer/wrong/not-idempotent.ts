/**
 * Wrong: a batch in one keyed send, acks=all, awaited, but kafkajs's default producer (not
 * idempotent). When the connection breaks after Kafka wrote a batch but before its answer
 * came back, kafkajs retries the send and Kafka writes the batch a second time.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, config, serve } from '../../../labs/kafka-keyed-producer/service.js';

const kafka = new Kafka({ clientId: 'account-events', ...config.kafkaClient, logLevel: logLevel.ERROR });
const producer = kafka.producer();
await producer.connect();

const stop = serve(async (events: AccountEvent[]) => {
  await producer.send({
    topic: config.eventsTopic,
    acks: -1,
    messages: events.map((event) => ({ key: event.accountId, value: JSON.stringify(event) })),
  });
});

process.on('SIGTERM', () => void stop().then(() => producer.disconnect()).finally(() => process.exit(0)));
