/**
 * Defaults of the options of workloads/kafka-keyed-producer.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  partitions: 6,
  accounts: 12,
  accountsPerBatch: 6,
  eventsPerAccount: 4,
  pauseMs: 30,
  resetAtMs: 1_000,
  lostAnswersAtMs: 3_000,
  redeployAfterMs: 1_000,
  tailMs: 1_000,
  answerTimeoutMs: 8_000,
  quietMs: 1_000,
} as const;
