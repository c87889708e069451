/**
 * Given code for this exercise: the formats of an action and of a user's state, the empty
 * state, and where things are. You don't need to change this file.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** One user action, the JSON value of a USER_ACTIONS_TOPIC record (key: userId). Which of the
 *  optional fields an action has depends on its type (README.md, "The actions"). */
export interface UserAction {
  eventId: string;
  userId: string;
  type: 'signed-up' | 'email-changed' | 'plan-changed' | 'item-added' | 'item-removed' | 'deactivated';
  /** When the user did it, as their device says (ISO 8601). Not the order to apply them in. */
  occurredAt: string;
  email?: string;
  plan?: string;
  sku?: string;
  quantity?: number;
}

/** A user's current state, the JSON value you publish to USER_STATE_TOPIC (key: userId).
 *  Fields of your own beside these are allowed (the lab compares these). */
export interface UserState {
  userId: string;
  email: string | null;
  plan: string | null;
  status: 'active' | 'deactivated' | null;
  /** Quantity per sku; a sku whose quantity drops to 0 or below is not in the cart. */
  cart: Record<string, number>;
  /** How many of the user's actions this state reflects. */
  version: number;
}

/** The state of a user before any action. */
export function emptyState(userId: string): UserState {
  return { userId, email: null, plan: null, status: null, cart: {}, version: 0 };
}

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Set by the lab only when Kafka asks for a login (a workshop's shared cluster). */
const sasl = process.env.KAFKA_SASL_MECHANISM
  ? ({
      mechanism: process.env.KAFKA_SASL_MECHANISM,
      username: process.env.KAFKA_SASL_USERNAME ?? '',
      password: process.env.KAFKA_SASL_PASSWORD ?? '',
    } as SASLOptions)
  : undefined;

/** Where things are: the lab sets these for every run. */
export const config = {
  /** How to reach Kafka, login included when there is one: `new Kafka({ clientId, ...config.kafkaClient })`. */
  kafkaClient: { brokers, ...(sasl ? { sasl } : {}) } satisfies Pick<KafkaConfig, 'brokers' | 'sasl'>,
  userActionsTopic: process.env.USER_ACTIONS_TOPIC ?? 'user-actions',
  userStateTopic: process.env.USER_STATE_TOPIC ?? 'user-state',
  groupId: process.env.GROUP_ID ?? 'user-state-builder',
  /** The replication factor to create USER_STATE_TOPIC with (1 on the lab's Kafka). */
  replicationFactor: Number(process.env.REPLICATION_FACTOR ?? '1'),
  /**
   * Consumer timings for the lab: kafka.consumer({ groupId, ...config.groupTimings }). When
   * the lab kills your program, its membership stays in the group until the session times
   * out, and the restarted program waits for that: 2 s instead of kafkajs's default 30 s.
   */
  groupTimings: { sessionTimeout: 2_000, heartbeatInterval: 200, maxWaitTimeInMs: 200 },
};
