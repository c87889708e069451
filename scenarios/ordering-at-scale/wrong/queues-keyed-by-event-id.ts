/**
 * Wrong: splits the batch into queues to run them side by side, but keys the queues by the
 * event's id instead of its account: every event gets a queue of its own, so an account's
 * events run side by side after all.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, applyEvent, config } from '../../../labs/ordering-at-scale/ledger.js';

const kafka = new Kafka({ clientId: `ledger-writer-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.accountEventsTopic, fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch }) => {
    const queues = new Map<string, AccountEvent[]>();
    for (const message of batch.messages) {
      const event = JSON.parse(message.value?.toString() ?? '{}') as AccountEvent;
      queues.set(event.eventId, [...(queues.get(event.eventId) ?? []), event]);
    }
    await Promise.all(
      [...queues.values()].map(async (events) => {
        for (const event of events) await applyEvent(event);
      }),
    );
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
