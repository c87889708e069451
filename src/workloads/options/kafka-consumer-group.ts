/**
 * Defaults of the options of workloads/kafka-consumer-group.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  partitions: 6,
  payments: 300,
  customers: 40,
  apiLatencyMs: 10,
  apiJitterMs: 20,
  batch: 30,
  pauseMs: 100,
  prefill: 0,
  flakyEvery: 0,
  flakyBefore: Number.MAX_SAFE_INTEGER,
  quietMs: 5_000,
} as const;
