/**
 * The learner's processes in the history, typed: the runner records each copy's start, a
 * failure to start, and its exit as `process` operations; checks, reporters and the runner
 * read them back through these functions instead of casting `value` each time.
 *
 * Definitions:
 * - a crash: an exit the lab did not cause (`byLab: false`): the program ended on its own,
 *   whatever its code or signal.
 */
import type { History, HistoryRecorder, Operation, ProcessName } from './history.js';
import { isRecord } from './messages.js';

export type LearnerEvent =
  | { event: 'start'; pid: number | undefined; start: number }
  | { event: 'spawn-error'; error: string }
  | { event: 'exit'; code: number | null; signal: string | null; byLab: boolean; stderr?: string }
  /** A copy started mid-run (faults/scale-learner.ts) that did not get ready in time. */
  | { event: 'not-ready'; reason: string; hint: string };

export type LearnerEventOp<E extends LearnerEvent = LearnerEvent> = Operation & { value: E };
export type ExitEvent = Extract<LearnerEvent, { event: 'exit' }>;

export function recordLearnerEvent(history: HistoryRecorder, process: ProcessName, event: LearnerEvent): void {
  const failed = event.event === 'spawn-error' || event.event === 'not-ready' || (event.event === 'exit' && !event.byLab);
  history.record({ process, kind: 'process', outcome: failed ? 'fail' : 'ok', value: event });
}

function isLearnerEvent(op: Operation): op is LearnerEventOp {
  return op.kind === 'process' && isRecord(op.value) && typeof op.value.event === 'string';
}

/** Whether an operation is a copy's exit (by the lab or not). */
export function isExitEvent(op: Operation): op is LearnerEventOp<ExitEvent> {
  return isLearnerEvent(op) && op.value.event === 'exit';
}

/** Every start, spawn error and exit of the learner's copies, in order. */
export function learnerEvents(history: History): LearnerEventOp[] {
  return history.filter(isLearnerEvent);
}

/** Every exit, by the lab or not. */
export function exits(history: History): Array<LearnerEventOp<ExitEvent>> {
  return history.filter(isExitEvent);
}

/** Exits the lab did not cause: the program ended on its own. */
export function crashes(history: History): Array<LearnerEventOp<ExitEvent>> {
  return exits(history).filter((op) => !op.value.byLab);
}

/** Copies started mid-run that did not get ready in time. */
export function notReady(history: History): Array<LearnerEventOp<Extract<LearnerEvent, { event: 'not-ready' }>>> {
  return learnerEvents(history).filter((op): op is LearnerEventOp<Extract<LearnerEvent, { event: 'not-ready' }>> => op.value.event === 'not-ready');
}
