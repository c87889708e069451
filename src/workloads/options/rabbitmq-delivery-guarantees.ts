/**
 * Defaults of the options of workloads/rabbitmq-delivery-guarantees.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  whileDownEntries: 3,
  flakyEntries: 3,
  apiLatencyMs: 20,
  apiJitterMs: 30,
  quietMs: 1_500,
  settleMs: 500,
} as const;
