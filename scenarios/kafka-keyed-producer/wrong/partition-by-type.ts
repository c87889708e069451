/**
 * Wrong: keyed by account, but with a custom partitioner that puts each event type in its
 * own partition ("so a fees consumer reads only fees"). An account's deposits and
 * withdrawals then sit in different partitions, and nobody can read the account in order.
 */
import { Kafka, logLevel, type ICustomPartitioner } from 'kafkajs';
import { type AccountEvent, config, serve } from '../../../labs/kafka-keyed-producer/service.js';

const TYPES = ['deposit', 'withdrawal', 'fee', 'interest'];
const byEventType: ICustomPartitioner = () => ({ partitionMetadata, message }) => {
  const type = (JSON.parse(String(message.value)) as AccountEvent).type;
  return Math.max(0, TYPES.indexOf(type)) % partitionMetadata.length;
};

const kafka = new Kafka({ clientId: 'account-events', ...config.kafkaClient, logLevel: logLevel.ERROR });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: byEventType });
await producer.connect();

const stop = serve(async (events: AccountEvent[]) => {
  await producer.send({
    topic: config.eventsTopic,
    acks: -1,
    messages: events.map((event) => ({ key: event.accountId, value: JSON.stringify(event) })),
  });
});

process.on('SIGTERM', () => void stop().then(() => producer.disconnect()).finally(() => process.exit(0)));
