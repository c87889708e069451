/**
 * What the lab records with each call the learner's program makes to one of its services
 * (runner/downstream.ts records it; faults, checks and reporters read it), typed, so readers
 * name its fields instead of casting `value` each time.
 */
import type { Operation } from './history.js';
import { fieldsOf } from './messages.js';

export interface CallValue {
  /** The copy that called (its x-instance-id header, else the service's default). */
  instance?: number;
  /** When the call arrived (ms since the run started); the operation's `t` is when it ended. */
  arrivedAt?: number;
  /** The HTTP status it was answered with. */
  status?: number;
  /** Body fields recorded with every call (`recordFields`). */
  fields?: Record<string, unknown>;
  /** The caller closed the connection before the answer while alive (a client timeout). */
  callerGaveUp?: boolean;
  /** Why the service refused it as malformed (400). */
  rejected?: string;
  /** The start of a body the service could not read as JSON (a 400). */
  body?: string;
  /** Why it was cut short ("caller killed mid-call"). */
  note?: string;
  /** The name of the scheduled window it arrived in (runner/downstream-schedule.ts). */
  window?: string;
  /** It arrived while the service was down: its connection was reset, unanswered. */
  down?: boolean;
  /** For a service that takes several messages in one call (workloads/load-test.ts), one
   *  record per message: the call's number and how many messages it carried. */
  request?: number;
  batch?: number;
}

/** A call's recorded value (an empty one when the operation carries none). */
export function callValue(op: Operation | undefined): CallValue {
  return fieldsOf(op) as CallValue;
}
