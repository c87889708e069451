/**
 * Faults ("nemesis" in Jepsen's words) are chosen by the scenario independently of the
 * workload: a workload only exposes points where a fault may strike (a downstream call in
 * flight), and the runner arms the scenario's faults on them.
 */
import type { CallHook } from '../runner/downstream.js';
import type { HistoryRecorder } from '../runner/history.js';
import type { LearnerGroup } from '../runner/learner.js';

export interface FaultContext {
  history: HistoryRecorder;
  learners: LearnerGroup;
  /** Registers a hook on every downstream service the workload starts. */
  onDownstreamCall(hook: CallHook): void;
  /** Remembers async work (a restart) so the run waits for it before cleanup. */
  track(work: Promise<unknown>): void;
}

export interface FaultDefinition<P> {
  name: string;
  parseParams(raw: Record<string, unknown>): P;
  arm(ctx: FaultContext, params: P): void;
}
