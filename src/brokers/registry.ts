/** Every broker module, by name, plus the small lookups the commands need. */
import { UsageError } from '../errors.js';
import type { BrokerDefinition } from './definition.js';
import { kafka } from './kafka.js';
import { kafkaCluster } from './kafka-cluster.js';
import { postgres } from './postgres.js';
import { prometheus } from './prometheus.js';
import { rabbitmq } from './rabbitmq.js';
import { rabbitmqCluster } from './rabbitmq-cluster.js';
import { redis } from './redis.js';
import { pubsub } from './pubsub.js';
import { sns } from './sns.js';
import { sqs } from './sqs.js';
import { toxiproxy } from './toxiproxy.js';
import { BROKER_NAMES, ON_DEMAND_BROKERS, type BrokerName } from './types.js';

export const BROKERS: { readonly [N in BrokerName]: BrokerDefinition<N> } = {
  redis,
  rabbitmq,
  'rabbitmq-cluster': rabbitmqCluster,
  kafka,
  'kafka-cluster': kafkaCluster,
  sqs,
  sns,
  pubsub,
  postgres,
  toxiproxy,
  prometheus,
};

/** Human names for messages: { rabbitmq: "RabbitMQ", ... }. */
export const BROKER_LABELS = Object.fromEntries(BROKER_NAMES.map((name) => [name, BROKERS[name].label])) as Readonly<
  Record<BrokerName, string>
>;

/** One broker's definition, typed loosely so generic code can call its methods. */
export function brokerDef(name: BrokerName): BrokerDefinition {
  return BROKERS[name] as BrokerDefinition;
}

export function isBrokerName(value: string): value is BrokerName {
  return (BROKER_NAMES as readonly string[]).includes(value);
}

/**
 * Command-line broker names to BrokerNames in start order, without duplicates; none = all
 * (for `up`, all but the brokers started only on demand: `{ onDemand: false }`).
 * Unknown names are a UsageError that lists the valid ones.
 */
export function parseBrokerNames(args: readonly string[], options: { onDemand?: boolean } = {}): BrokerName[] {
  if (args.length === 0) return BROKER_NAMES.filter((name) => options.onDemand !== false || !ON_DEMAND_BROKERS.includes(name));
  const unknown = args.filter((arg) => !isBrokerName(arg.toLowerCase()));
  if (unknown.length > 0) {
    const what = unknown.length === 1 ? `unknown broker "${unknown[0]}"` : `unknown brokers ${unknown.map((u) => `"${u}"`).join(', ')}`;
    throw new UsageError(`${what}; valid brokers are: ${BROKER_NAMES.join(', ')}`);
  }
  const wanted = new Set(args.map((arg) => arg.toLowerCase()));
  return BROKER_NAMES.filter((name) => wanted.has(name));
}
