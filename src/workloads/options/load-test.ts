/**
 * Defaults of the options of workloads/load-test.ts (which says what each means), as data:
 * the workload reads them from here, and so does the catalog for a "$workload.x" a scenario
 * does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  rate: 1_000,
  sustainMs: 30_000,
  warmupRate: 200,
  warmupMs: 3_000,
  steps: [2_000, 4_000, 6_000, 8_000],
  stepMs: 2_500,
  boundMs: 250,
  serviceLatencyMs: 5,
  perOrderUs: 50,
  serviceWorkers: 16,
  maxBatch: 100,
  flakyOrders: 3,
  flakyDelayMs: 150,
  quietMs: 3_000,
} as const;
