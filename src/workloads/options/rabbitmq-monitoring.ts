/**
 * Defaults of the options of workloads/rabbitmq-monitoring.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  steadyJobs: 15,
  failEvery: 5,
  quickMinMs: 40,
  quickMaxMs: 120,
  slowMs: 3_500,
  queuedBehindSlow: 6,
  failEveryBehindSlow: 3,
  killAfterMs: 3_000,
  idleMs: 4_000,
  scrapedWithinMs: 7_000,
} as const;
