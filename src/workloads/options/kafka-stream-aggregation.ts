/**
 * Defaults of the options of workloads/kafka-stream-aggregation.ts (which says what each
 * means), as data: the workload reads them from here, and so does the catalog for a
 * "$workload.x" a scenario does not set.
 */
export const defaults = {
  windowMs: 10_000,
  graceMs: 5_000,
  backlogMinutes: 15,
  settleMs: 700,
  killWaitMs: 2_500,
  commitWaitMs: 1_000,
  killAfterJoinMs: 5_800,
  quietMs: 2_000,
  afterDoneMs: 300,
} as const;
