/**
 * Defaults of the options of workloads/compare-brokers.ts (which says what each means), as
 * data: the workload reads them from here, and so does the catalog for a "$workload.x" a
 * scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  messages: 2_000,
  size: 256,
  burst: 200,
  intervalMs: 100,
  resultsWaitMs: 30_000,
} as const;
