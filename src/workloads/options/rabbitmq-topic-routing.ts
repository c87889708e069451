/**
 * Defaults of the options of workloads/rabbitmq-topic-routing.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  burstEvents: 40,
  killAfterMs: 250,
  quietMs: 1_500,
  settleMs: 300,
} as const;
