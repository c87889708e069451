/**
 * Wrong: the reference with one change in the fold: item-removed drops the sku only when its
 * quantity is exactly 0 ("a line with nothing left goes"), so removing more than the cart holds,
 * or a sku that is not in it, leaves a negative quantity. The README: at 0 or below the sku
 * leaves the cart.
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
      if (quantity === 0) delete next.cart[sku];
      else next.cart[sku] = quantity;
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
await admin.disconnect();

const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();

const states = new Map<string, UserState>();
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
