/**
 * Given code for this exercise: where things are, the order format, the call to the lab's
 * fulfilment API and the migration flag. You don't need to change this file.
 */
import { readFile } from 'node:fs/promises';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** An order event, the same on both brokers (JSON). `orderId` is its id: a copy of an
 *  order carries the same one, and so do the AMQP message id and the Kafka key. */
export interface Order {
  orderId: string;
  customer: string;
  items: number;
  totalCents: number;
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
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  /** The old broker: RabbitMQ's queue of orders (durable, declared by the lab). */
  ordersQueue: process.env.ORDERS_QUEUE ?? 'orders',
  /** How to reach Kafka, login included when there is one: `new Kafka({ clientId, ...config.kafkaClient })`. */
  kafkaClient: { brokers, ...(sasl ? { sasl } : {}) } satisfies Pick<KafkaConfig, 'brokers' | 'sasl'>,
  /** The new broker: Kafka's topic of orders (created by the lab). */
  ordersTopic: process.env.ORDERS_TOPIC ?? 'orders',
  /** The consumer group to consume ORDERS_TOPIC in. */
  groupId: process.env.GROUP_ID ?? 'fulfillment',
  /**
   * Consumer timings for the lab, passed to kafka.consumer({ groupId, ...config.groupTimings }):
   * short, so that joining the group after a restart takes a fraction of a second, not the
   * default session timeout of 30 s.
   */
  groupTimings: { sessionTimeout: 3_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 },
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** Every key your program creates starts with this (the lab deletes them afterwards). */
  keyPrefix: process.env.KEY_PREFIX ?? 'migrate:',
  fulfillmentApiUrl: process.env.FULFILLMENT_API_URL ?? 'http://127.0.0.1:8080',
  /** The migration flag: a JSON file, {"producers": "rabbitmq"} until the cut-over, then {"producers": "kafka"}. */
  migrationFile: process.env.MIGRATION_FILE ?? 'migration.json',
  instanceId: process.env.INSTANCE_ID ?? '1',
};

/** Where the producers publish new orders now: "rabbitmq" before the cut-over, "kafka" after.
 *  The lab replaces the file in one step, so a read never sees half of it. */
export async function producersOn(): Promise<'rabbitmq' | 'kafka'> {
  const flag = JSON.parse(await readFile(config.migrationFile, 'utf8')) as { producers?: string };
  return flag.producers === 'kafka' ? 'kafka' : 'rabbitmq';
}

/** Ships the order: this is "processing" it. Throws if the fulfilment API did not confirm
 *  (then the order is not shipped: leave it unacknowledged, or uncommitted, and try again). */
export async function shipOrder(order: Order): Promise<void> {
  const response = await fetch(`${config.fulfillmentApiUrl}/shipments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-instance-id': config.instanceId },
    body: JSON.stringify(order),
  });
  if (!response.ok) throw new Error(`fulfilment API answered HTTP ${response.status} for ${order.orderId}`);
}
