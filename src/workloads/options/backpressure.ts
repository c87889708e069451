/**
 * Defaults of the options of workloads/backpressure.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  warmupPages: 30,
  flakyPages: 3,
  floodPages: 1500,
  pageBytes: 40_000,
  baselineMs: 1_500,
  apiLatencyMs: 20,
  apiJitterMs: 10,
  apiCapacity: 10,
  maxInFlight: 10,
  catchUpMs: 12_000,
  maxGrowthMiB: 40,
  sampleEveryMs: 250,
  quietMs: 3_000,
} as const;
