/**
 * Defaults of the options of workloads/rabbitmq-retry-worker.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  healthyTasks: 120,
  transientTasks: 10,
  poisonTasks: 5,
  lonePoisonTasks: 1,
  maxAttempts: 3,
  prefetchLimit: 10,
  apiLatencyMs: 15,
  apiJitterMs: 30,
  quietMs: 3_000,
} as const;
