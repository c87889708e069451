/**
 * Defaults of the options of workloads/retry-circuit-breaker.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  warmupJobs: 40,
  warmupIntervalMs: 70,
  flakyEvery: 6,
  flakyFailures: 3,
  outageJobs: 20,
  outageBurst: 4,
  outageIntervalMs: 250,
  afterJobs: 8,
  apiLatencyMs: 20,
  apiJitterMs: 20,
  baseDelayMs: 100,
  maxDelayMs: 800,
  failureThreshold: 5,
  coolDownMs: 1_500,
  concurrency: 4,
  quietMs: 3_000,
} as const;
