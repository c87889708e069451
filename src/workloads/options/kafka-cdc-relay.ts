/**
 * Defaults of the options of workloads/kafka-cdc-relay.ts (which says what each means), as
 * data: the workload reads them from here, and so does the catalog for a "$workload.x" a
 * scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  initialCustomers: 4,
  streamChanges: 6,
  streamSpacingMs: 60,
  killSpacingMs: 100,
  whileDownChanges: 3,
  afterRestartChanges: 8,
  afterRestartSpacingMs: 100,
  windowMs: 5_000,
  quietMs: 2_000,
} as const;

/** Fault id of the workload's own kill of the relay (the scenario's faults are numbered from
 *  0): the checks find its restart by it. */
export const KILL_FAULT_ID = 100;
