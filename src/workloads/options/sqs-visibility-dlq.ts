/**
 * Defaults of the options of workloads/sqs-visibility-dlq.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  regularJobs: 40,
  transientJobs: 4,
  poisonJobs: 3,
  maxReceiveCount: 3,
  queueVisibilitySeconds: 1,
  slowExtraMs: 3_000,
  apiLatencyMs: 20,
  apiJitterMs: 30,
  quietMs: 2_500,
} as const;
