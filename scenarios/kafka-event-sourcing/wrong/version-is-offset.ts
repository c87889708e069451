/**
 * Wrong: the replay design, but each state's version is set to the action record's offset + 1
 * ("the version is where the state is in the log") instead of the number of the user's actions:
 * a partition holds several users, so its offsets count all of them. Every other field is right.
 * (Written by an independent learner from the README alone.)
 */
import { Kafka, logLevel } from 'kafkajs';
import { type UserAction, type UserState, config, emptyState } from '../../../labs/kafka-event-sourcing/users.js';

const kafka = new Kafka({ clientId: 'user-state-builder', ...config.kafkaClient, logLevel: logLevel.ERROR });

function apply(s: UserState, a: UserAction): UserState {
  const n: UserState = { ...s, cart: { ...s.cart }, version: s.version + 1 };
  switch (a.type) {
    case 'signed-up': n.email = a.email ?? null; n.plan = a.plan ?? null; n.status = 'active'; break;
    case 'email-changed': n.email = a.email ?? null; break;
    case 'plan-changed': n.plan = a.plan ?? null; break;
    case 'item-added': n.cart[a.sku!] = (n.cart[a.sku!] ?? 0) + (a.quantity ?? 0); break;
    case 'item-removed': {
      const q = (n.cart[a.sku!] ?? 0) - (a.quantity ?? 0);
      if (q <= 0) delete n.cart[a.sku!]; else n.cart[a.sku!] = q;
      break;
    }
    case 'deactivated': n.status = 'deactivated'; break;
  }
  return n;
}

const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  waitForLeaders: true,
  topics: [{ topic: config.userStateTopic, numPartitions: 3, replicationFactor: config.replicationFactor,
    configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
});
await admin.disconnect();

const producer = kafka.producer();
await producer.connect();

const states = new Map<string, UserState>();
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
await consumer.connect();
await consumer.subscribe({ topic: config.userActionsTopic, fromBeginning: true });

await consumer.run({
  autoCommit: false,
  eachMessage: async ({ message }) => {
    const action = JSON.parse(message.value?.toString() ?? '{}') as UserAction;
    const state = { ...apply(states.get(action.userId) ?? emptyState(action.userId), action), version: Number(message.offset) + 1 };
    states.set(action.userId, state);
    await producer.send({ topic: config.userStateTopic, messages: [{ key: action.userId, value: JSON.stringify(state) }] });
  },
});

process.on('SIGTERM', () => void Promise.allSettled([consumer.disconnect(), producer.disconnect()]).finally(() => process.exit(0)));
