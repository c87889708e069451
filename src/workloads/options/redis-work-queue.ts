/**
 * Defaults of the options of workloads/redis-work-queue.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  jobs: 60,
  events: 30,
  bursts: 6,
  burstGapMs: 150,
  jobLatencyMs: 30,
  jobJitterMs: 40,
  slowJobs: 1,
  slowJobMs: 2_000,
  heartbeatTtlMs: 1_000,
  sampleMs: 50,
  quietMs: 3_000,
} as const;
