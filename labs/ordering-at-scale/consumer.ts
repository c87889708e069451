/**
 * Week 8: keep each account's events in order while the consumers scale out.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check ordering-at-scale
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, applyEvent, config } from './ledger.js';

const kafka = new Kafka({ clientId: `ledger-writer-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });

// config.groupTimings: short heartbeat and fetch waits, so each rebalance takes a moment.
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });

await consumer.connect();
await consumer.subscribe({ topic: config.accountEventsTopic, fromBeginning: true });

await consumer.run({
  eachBatch: async ({ batch }) => {
    // TODO: apply every event of the batch with applyEvent(event). Per account, the ledger
    //       must get the events in sequence, whichever copy of this program applies them.
    for (const message of batch.messages) {
      const event = JSON.parse(message.value?.toString() ?? '{}') as AccountEvent;
      console.log('received', event.eventId, event.accountId, event.seq);
    }
    void applyEvent;
  },
});

// Leave the group cleanly when the lab stops this copy.
process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
