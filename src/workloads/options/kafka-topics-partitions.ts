/**
 * Defaults of the options of workloads/kafka-topics-partitions.ts (which says what each
 * means), as data: the workload reads them from here, and so does the catalog for a
 * "$workload.x" a scenario does not set, without loading the workload and its Kafka client.
 */
export const defaults = {
  legacyRecords: 12,
  customers: 40,
  settleMs: 200,
} as const;
