/**
 * Wrong: rewrites amountCents as a dollars string ("15.54") before publishing. The records
 * are keyed, ordered and written once, but the value is no longer the event the lab sent:
 * a consumer summing amountCents to rebuild a balance gets nonsense.
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
    // The value in dollars, "as the finance team reads it".
    messages: events.map((event) => ({ key: event.accountId, value: JSON.stringify({ ...event, amountCents: (event.amountCents / 100).toFixed(2) }) })),
  });
});

process.on('SIGTERM', () => void stop().then(() => producer.disconnect()).finally(() => process.exit(0)));
