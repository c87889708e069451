/**
 * Defaults of the options of workloads/kafka-replication.ts (which says what each means), as
 * data: the workload reads them from here, and so does the catalog for a "$workload.x" a
 * scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  warmupMs: 1_000,
  oversizedAt: 3,
  oversizedBytes: 1_200_000,
  pauseMs: 3_500,
  holdAnswers: 5,
  holdMs: 1_200,
  graceMs: 100,
  afterKillMs: 6_000,
  tailAnswers: 3,
  gapMs: 20,
  answerTimeoutMs: 30_000,
  isrWaitMs: 20_000,
  topicWaitMs: 5_000,
  quietMs: 500,
} as const;
