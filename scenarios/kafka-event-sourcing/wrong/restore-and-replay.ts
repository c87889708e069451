/**
 * Wrong: restores the states from the snapshot topic at start-up, then replays
 * USER_ACTIONS_TOPIC from the beginning as well (no committed offsets) "to be safe": after the
 * restart every action before the kill is applied a second time on top of the restored state.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type UserAction, type UserState, config, emptyState } from '../../../labs/kafka-event-sourcing/users.js';

/** The README's table: one action applied to a user's state. */
function apply(state: UserState, action: UserAction): UserState {
  const next: UserState = { ...state, cart: { ...state.cart }, version: state.version + 1 };
  switch (action.type) {
    case 'signed-up':
      next.email = action.email ?? null;
      next.plan = action.plan ?? null;
      next.status = 'active';
      break;
    case 'email-changed':
      next.email = action.email ?? null;
      break;
    case 'plan-changed':
      next.plan = action.plan ?? null;
      break;
    case 'item-added':
    case 'item-removed': {
      const sku = action.sku ?? '';
      const quantity = (next.cart[sku] ?? 0) + (action.type === 'item-added' ? 1 : -1) * (action.quantity ?? 0);
      if (quantity > 0) next.cart[sku] = quantity;
      else delete next.cart[sku];
      break;
    }
    case 'deactivated':
      next.status = 'deactivated';
      break;
  }
  return next;
}

const kafka = new Kafka({ clientId: 'user-state-builder', ...config.kafkaClient, logLevel: logLevel.ERROR });

// The snapshot topic: compacted, so Kafka keeps at least the latest state of every user.
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  topics: [{ topic: config.userStateTopic, numPartitions: 3, replicationFactor: config.replicationFactor, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
}); // false when it exists already (a restart): nothing to do then

const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();

/** The latest state of every user on the snapshot topic (read to its end at start-up). */
async function restore(): Promise<Map<string, UserState>> {
  const states = new Map<string, UserState>();
  const ends = new Map((await admin.fetchTopicOffsets(config.userStateTopic)).map((p) => [p.partition, Number(p.high)]));
  const reader = kafka.consumer({ groupId: `${config.groupId}.restore`, ...config.groupTimings });
  await reader.connect();
  await reader.subscribe({ topic: config.userStateTopic, fromBeginning: true });
  const read = new Map<number, number>();
  await reader.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      if (message.key && message.value) states.set(message.key.toString(), JSON.parse(message.value.toString()) as UserState);
      read.set(partition, Number(message.offset) + 1);
    },
  });
  while (![...ends].every(([p, end]) => (read.get(p) ?? 0) >= end)) await new Promise((resolve) => setTimeout(resolve, 50));
  await reader.disconnect();
  return states;
}

// Restored for a quick start, then the log replayed "to be safe" (the mistake: both).
const states = await restore();
await admin.disconnect();
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
await consumer.connect();
await consumer.subscribe({ topic: config.userActionsTopic, fromBeginning: true });
await consumer.run({
  autoCommit: false, // no committed offsets: every start replays the whole log
  eachMessage: async ({ message }) => {
    const action = JSON.parse(message.value?.toString() ?? '{}') as UserAction;
    const state = apply(states.get(action.userId) ?? emptyState(action.userId), action);
    states.set(action.userId, state);
    await producer.send({ topic: config.userStateTopic, messages: [{ key: action.userId, value: JSON.stringify(state) }] });
  },
});

process.on('SIGTERM', () => void Promise.allSettled([consumer.disconnect(), producer.disconnect()]).finally(() => process.exit(0)));
