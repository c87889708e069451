/**
 * Defaults of the options of workloads/kafka-event-sourcing.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x" a
 * scenario does not set, without loading the workload and its Kafka client.
 */
export const defaults = {
  partitions: 4,
  users: 12,
  liveBursts: 3,
  whileDownBursts: 1,
  afterBursts: 2,
  pauseMs: 250,
  liveMinMs: 6_000,
  caughtUpQuietMs: 800,
  backMarginMs: 500,
  quietMs: 2_000,
} as const;
