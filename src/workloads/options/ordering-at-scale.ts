/**
 * Defaults of the options of workloads/ordering-at-scale.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  partitions: 8,
  accounts: 24,
  bursts: 20,
  accountsPerBurst: 5,
  eventsPerAccount: 4,
  pauseMs: 350,
  prefillBursts: 1,
  apiLatencyMs: 5,
  apiJitterMs: 10,
  slowMs: 40,
  quietMs: 3_000,
  accountStride: 5,
  scaleOutAfterBursts: 10,
} as const;
