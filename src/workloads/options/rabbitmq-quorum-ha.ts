/**
 * Defaults of the options of workloads/rabbitmq-quorum-ha.ts (which says what each means), as
 * data: the workload reads them from here, and so does the catalog for a "$workload.x" a
 * scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  warmupMs: 2_500,
  warmupMaxMs: 25_000,
  consumerWaitMs: 10_000,
  restartedAnswers: 5,
  flakyEvery: 5,
  latencyMs: 40,
  jitterMs: 40,
  pauseMs: 1_500,
  graceMs: 100,
  afterKillMs: 5_000,
  tailAnswers: 5,
  failoverWaitMs: 35_000,
  gapMs: 30,
  answerTimeoutMs: 30_000,
  quietMs: 2_000,
  settleMs: 20_000,
} as const;
