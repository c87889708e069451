/**
 * Defaults of the options of workloads/event-chain.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  orders: 15,
  declined: 3,
  ordersAfterRestart: 10,
  paymentsLatencyMs: 15,
  paymentsJitterMs: 30,
  shippingLatencyMs: 10,
  shippingJitterMs: 20,
  paymentCopy: 2,
  shippingCopy: 3,
  quietMs: 2_500,
} as const;
