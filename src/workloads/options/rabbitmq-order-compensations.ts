/**
 * Defaults of the options of workloads/rabbitmq-order-compensations.ts (which says what each
 * means), as data: the workload reads them from here, and so does the catalog for a
 * "$workload.x" a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  orders: 16,
  declined: 3,
  unshippable: 3,
  flaky: 3,
  ordersAfterRestart: 4,
  apiLatencyMs: 15,
  apiJitterMs: 20,
  quietMs: 1_500,
} as const;
