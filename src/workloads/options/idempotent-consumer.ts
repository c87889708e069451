/**
 * Defaults of the options of workloads/idempotent-consumer.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  payments: 24,
  flakyPayments: 3,
  racePairs: 4,
  raceHoldMs: 1_000,
  fxLatencyMs: 40,
  fxJitterMs: 40,
  quietMs: 2_500,
} as const;
