/**
 * WRONG (ack-timing): a promise chain per account that outlives eachBatch. Each account's
 * events stay in order (each waits for the one before), but the handler returns at once, so
 * kafkajs resolves and commits the batch before its events are applied. When the lab kills
 * the copy, the events still waiting in the chains are gone: the restarted copy goes on after
 * the commit. (It also hands a partition over while its old chains still run.)
 * Otherwise like alternatives/queue-per-account.ts.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type AccountEvent, applyEvent, config } from '../../../labs/ordering-at-scale/ledger.js';

const kafka = new Kafka({ clientId: `ledger-writer-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
/** The last queued apply of each account: the next one waits for it. */
const chains = new Map<string, Promise<void>>();

await consumer.connect();
await consumer.subscribe({ topic: config.accountEventsTopic, fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch }) => {
    for (const message of batch.messages) {
      const event = JSON.parse(message.value?.toString() ?? '{}') as AccountEvent;
      const before = chains.get(event.accountId) ?? Promise.resolve();
      chains.set(event.accountId, before.then(() => applyEvent(event)));
    }
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
