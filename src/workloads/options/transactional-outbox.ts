/**
 * Defaults of the options of workloads/transactional-outbox.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  orders: 10,
  invalidOrders: 2,
  busyOrders: 6,
  busySpacingMs: 300,
  relayOrders: 3,
  whileDownOrders: 2,
  afterRestartOrders: 4,
  windowMs: 6_000,
  quietMs: 2_500,
} as const;
