/**
 * Defaults of the options of workloads/redis-rate-limiter.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  messages: 100,
  flakyMessages: 3,
  idleMs: 1_500,
  afterIdleMessages: 15,
  ratePerSecond: 25,
  burst: 5,
  toleranceCalls: 5,
  apiLatencyMs: 20,
  apiJitterMs: 20,
  quietMs: 2_000,
} as const;
