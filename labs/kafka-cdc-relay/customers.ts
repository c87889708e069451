/**
 * Given helper code: where things are (from the environment the lab sets), the row the relay
 * reads and the change it publishes. You need not change this file.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this program with brokerlab check`);
  return value;
}

const brokers = required('KAFKA_BROKERS').split(',');

/** Set by the lab only when Kafka asks for a login (a workshop's shared cluster). */
const sasl = process.env.KAFKA_SASL_MECHANISM
  ? ({
      mechanism: process.env.KAFKA_SASL_MECHANISM,
      username: process.env.KAFKA_SASL_USERNAME ?? '',
      password: process.env.KAFKA_SASL_PASSWORD ?? '',
    } as SASLOptions)
  : undefined;

export const config = {
  /** How to reach Kafka, login included when there is one: `new Kafka({ clientId, ...config.kafkaClient })`. */
  kafkaClient: { brokers, ...(sasl ? { sasl } : {}) } satisfies Pick<KafkaConfig, 'brokers' | 'sasl'>,
  /** The topic every change goes to (3 partitions; the lab created it). */
  changesTopic: required('CHANGES_TOPIC'),
  /** A topic (1 partition) for the position, if you keep it in Kafka instead of the table. */
  positionTopic: required('POSITION_TOPIC'),
  /** This run's own PostgreSQL database: the customers and relay_position tables are in it. */
  databaseUrl: required('DATABASE_URL'),
};

/** This relay's row in relay_position. */
export const RELAY_NAME = 'customers-relay';

/** A row of the customers table as the relay selects it (change_id and updated_at set by the
 *  table's trigger on every insert and update). */
export interface CustomerRow {
  customer_id: string;
  name: string;
  email: string;
  tier: string;
  updated_at: Date;
  /** bigint: node-postgres returns it as a string. */
  change_id: string;
}

/** The value of each record on CHANGES_TOPIC (JSON); its key is customerId. */
export interface CustomerChange {
  changeId: number;
  customerId: string;
  name: string;
  email: string;
  tier: string;
  updatedAt: string;
}

export function changeOf(row: CustomerRow): CustomerChange {
  return { changeId: Number(row.change_id), customerId: row.customer_id, name: row.name, email: row.email, tier: row.tier, updatedAt: row.updated_at.toISOString() };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
