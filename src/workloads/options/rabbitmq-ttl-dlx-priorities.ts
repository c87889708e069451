/**
 * Defaults of the options of workloads/rabbitmq-ttl-dlx-priorities.ts (which says what each
 * means), as data: the workload reads them from here, and so does the catalog for a
 * "$workload.x" a scenario does not set, without loading the workload.
 */
export const defaults = {
  rushNormal: 8,
  rushUrgent: 4,
  staleTickets: 5,
  ticketTtlMs: 3_000,
  offerTtlMs: 1_000,
  agentLatencyMs: 30,
  holdMarginMs: 1_000,
  quietMs: 1_500,
} as const;
