/**
 * Defaults of the options of workloads/sns-fanout-filters.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  readyGraceMs: 2_000,
  inboxVisibilitySeconds: 2,
  quietMs: 6_000,
  settleMs: 300,
} as const;
