/**
 * Defaults of the options of workloads/redis-streams-consumer-group.ts (which says what each
 * means), as data: the workload reads them from here, and so does the catalog for a
 * "$workload.x" a scenario does not set, without loading the workload.
 */
export const defaults = {
  activities: 150,
  bursts: 10,
  burstGapMs: 100,
  storeLatencyMs: 10,
  storeJitterMs: 15,
  minIdleMs: 1_000,
  sampleMs: 100,
  tailMs: 1_500,
  quietMs: 2_500,
} as const;
