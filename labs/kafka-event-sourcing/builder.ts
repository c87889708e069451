/**
 * Weeks 4-5: event sourcing. Rebuild every user's current state from their actions.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check kafka-event-sourcing
 */
import { Kafka, logLevel } from 'kafkajs';
import { type UserAction, type UserState, config, emptyState } from './users.js';

const kafka = new Kafka({ clientId: 'user-state-builder', ...config.kafkaClient, logLevel: logLevel.ERROR });

// TODO: create USER_STATE_TOPIC (config.userStateTopic) with the admin API, as the README
//       asks: 3 partitions, config.replicationFactor, cleanup.policy=compact.

const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
await consumer.connect();
await consumer.subscribe({ topic: config.userActionsTopic, fromBeginning: true });

await consumer.run({
  eachMessage: async ({ message }) => {
    const action = JSON.parse(message.value?.toString() ?? '{}') as UserAction;
    console.log('action', action.userId, action.type);
    // TODO: apply the action to its user's state (README: "The actions") and publish the
    //       new state to USER_STATE_TOPIC, keyed by the user id. After a restart, the state
    //       must come from the log, not start empty.
    const state: UserState = emptyState(action.userId);
    void state;
  },
});

// Leave the group cleanly when the lab stops the program.
process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
