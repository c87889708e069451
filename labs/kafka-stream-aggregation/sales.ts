/**
 * Given code for this exercise: the sale and result formats, and where things are.
 * You don't need to change this file.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** A sale as it arrives on SALES_TOPIC (JSON value, keyed by product). */
export interface Sale {
  /** Unique per sale: a copy sent again by a retrying till has the same saleId. */
  saleId: string;
  product: string;
  amountCents: number;
  /** When the sale happened at the till, epoch milliseconds: the event time. */
  eventTime: number;
}

/** One window's result as it goes to WINDOWS_TOPIC (JSON value, key "<product>@<windowStart>"). */
export interface WindowResult {
  product: string;
  /** Epoch milliseconds, a multiple of config.windowMs. */
  windowStart: number;
  /** windowStart + config.windowMs (not part of the window: a sale at windowEnd is in the next one). */
  windowEnd: number;
  count: number;
  sumCents: number;
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
  salesTopic: process.env.SALES_TOPIC ?? 'sales',
  windowsTopic: process.env.WINDOWS_TOPIC ?? 'sales-per-window',
  groupId: process.env.GROUP_ID ?? 'sales-aggregator',
  /** The tumbling window's size: 10 000 ms. */
  windowMs: Number(process.env.WINDOW_MS ?? 10_000),
  /** How long after its end a window still accepts sales out of order: 5 000 ms of stream time. */
  graceMs: Number(process.env.GRACE_MS ?? 5_000),
  /**
   * Consumer timings for the lab, passed to kafka.consumer({ groupId, ...config.groupTimings }).
   * When your program is killed and started again, the group waits for the dead member's
   * session to time out (kafkajs default 30 s) before the new one gets the partition; 2 s
   * keeps a graded run short. Production uses longer ones.
   */
  groupTimings: { sessionTimeout: 2_000, heartbeatInterval: 200, maxWaitTimeInMs: 200 },
};

/** The output record's key: "<product>@<windowStart>" (a compacted topic keeps the latest per key). */
export function resultKey(product: string, windowStart: number): string {
  return `${product}@${windowStart}`;
}
