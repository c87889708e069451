/**
 * Defaults of the options of workloads/migrate-rabbitmq-to-kafka.ts (which says what each
 * means), as data: the workload reads them from here, and so does the catalog for a
 * "$workload.x" a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  rabbitOrders: 12,
  beforeKillOrders: 8,
  cutoverBacklog: 20,
  kafkaOrders: 10,
  overlapEarly: 3,
  overlapLate: 3,
  laterOrders: 6,
  partitions: 2,
  apiLatencyMs: 30,
  apiJitterMs: 20,
  quietMs: 1_500,
} as const;
