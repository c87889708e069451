/**
 * Defaults of the options of workloads/redis-pubsub-notifier.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  orders: 200,
  burst: 10,
  burstGapMs: 50,
  vipEvery: 5,
  ordersAfterCut: 0,
  resubscribeMs: 5_000,
  quietBeforeCutMs: 1_500,
} as const;
