/**
 * Faults ("nemesis" in Jepsen's words) are chosen by the scenario independently of the
 * workload: a workload only exposes points where a fault may strike (a downstream call in
 * flight) and evidence a fault may wait for (probes), and the runner arms the scenario's
 * faults on them.
 */
import type { CallHook } from '../runner/downstream.js';
import type { HistoryRecorder } from '../runner/history.js';
import type { LearnerGroup } from '../runner/learner.js';

/**
 * Evidence a workload can read from the brokers about one message, e.g. "committed-past":
 * the consumer group's committed offset is already past this message's offset. A fault
 * holding a call open polls it to strike the moment a mistake is visible.
 */
export type Probe = (key: string) => Promise<boolean>;

export interface FaultContext {
  history: HistoryRecorder;
  learners: LearnerGroup;
  /** Registers a hook on every downstream service the workload starts. */
  onDownstreamCall(hook: CallHook): void;
  /** A probe the workload registered under this name, if any (looked up when the fault strikes). */
  probe(name: string): Probe | undefined;
  /** Remembers async work (a restart) so the run waits for it before cleanup. */
  track(work: Promise<unknown>): void;
  /** Aborted on Ctrl-C or at the run's cap: a fault waiting for something stops waiting. */
  signal: AbortSignal;
}

export interface FaultDefinition<P> {
  name: string;
  parseParams(raw: Record<string, unknown>): P;
  /** `id` is the fault's index in the scenario's list, recorded with each of its events. */
  arm(ctx: FaultContext, params: P, id: number): void;
}
