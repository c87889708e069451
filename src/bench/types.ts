/**
 * The shape of `brokerlab bench`: for each broker a few variants (how the producer sends),
 * each measured at a few message sizes. A broker module (redis.ts, rabbitmq.ts, kafka.ts,
 * sqs.ts) knows its client library; the driver (measure.ts) does the timing, identically for
 * all of them.
 */
import type { Endpoints } from '../brokers/types.js';
import type { CpuUsage } from './cpu.js';
import type { LatencySummary } from './stats.js';

export const BENCH_BROKERS = ['redis', 'rabbitmq', 'kafka', 'sqs'] as const;
export type BenchBroker = (typeof BENCH_BROKERS)[number];

export interface Variant {
  /** Stable id, used in JSON and in the names the variant creates: "pipeline-100". */
  id: string;
  /** What the producer does, in learner terms: "Pub/Sub, pipeline of 100 PUBLISH per round trip". */
  label: string;
  /** Messages handed to the client per send call (1 = one at a time). */
  batch: number;
}

/** One variant, ready to send: its channel/queue/topic exists and its consumer listens. */
export interface Pipe {
  /** Sends these messages; resolves when the client may send more (as the variant defines). */
  send(payloads: Buffer[]): Promise<void>;
  /** After the last send: waits for outstanding acknowledgements (confirms, acks). */
  flush(): Promise<void>;
  /** Stops the consumer and closes the variant's clients (its names are deleted by the session). */
  stop(): Promise<void>;
}

/** One bench run against one broker, inside the run's namespace. */
export interface Session {
  /**
   * Creates the variant's destination under the namespace and, with `onDelivered`, starts a
   * consumer and resolves once it is ready, so no message waits for a consumer to join.
   */
  start(variant: Variant, size: number, onDelivered?: (body: Buffer | string) => void): Promise<Pipe>;
  /** Deletes everything under the namespace and closes the clients. Safe to call twice. */
  close(): Promise<void>;
}

export interface BrokerBench<N extends BenchBroker = BenchBroker> {
  name: N;
  label: string;
  /** The client library (and what it is written in), for the output and the shortfall reason. */
  client: string;
  variants: readonly Variant[];
  /** Messages per variant by default, sized so `brokerlab bench` stays under about a minute. */
  defaultMessages: number;
  open(endpoint: Endpoints[N], namespace: string): Promise<Session>;
}

/** What one variant at one size measured. */
export interface VariantResult {
  broker: BenchBroker;
  variant: string;
  label: string;
  size: number;
  sent: number;
  delivered: number;
  /** Sent but not delivered within the drain time. */
  lost: number;
  /** Messages the broker accepted per second: first send to the last acknowledgement. */
  sentPerSecond: number;
  /** End to end: first send to the last delivery; undefined without a consumer. */
  deliveredPerSecond?: number;
  /** Payload MB/s (10^6 bytes) of the delivered messages (of the sent ones without a consumer). */
  mbPerSecond: number;
  /** Produce -> consume, from the send call to the consumer's callback. */
  latencyMs?: LatencySummary;
  elapsedMs: number;
  cpu: CpuUsage;
}
