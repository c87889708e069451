/**
 * Fault events in the history, typed. Every fault records what it did as `fault`
 * operations; workloads (to tell a restart from the end of the work) and checks (to tell a
 * loss at a kill from any other loss) read them back through these functions. Checks scan a
 * finished history; a workload hears the events as they come (onFaultEvent), so what it asks
 * on every drain tick costs nothing however long the run grows.
 *
 * Definitions:
 * - phases: "hold" (a downstream call is held open, the fault waits for its moment),
 *   "start" (the fault struck: a kill), "heal" (it is over: the process was restarted, or
 *   the lab will not restart it).
 * - active: a fault that is holding a call or has started, and has not healed: while one
 *   is active the run's outcome is not settled, whatever the program does meanwhile.
 */
import type { History, HistoryRecorder, Operation } from '../runner/history.js';
import { isRecord } from '../runner/messages.js';

export type FaultPhase = 'hold' | 'start' | 'heal';

export interface FaultEvent {
  fault: string;
  /** The fault's index in the scenario's list: tells two kills of one run apart. A
   *  downstream's scheduled window has a negative one (runner/downstream-schedule.ts). */
  id: number;
  phase: FaultPhase;
  instance?: number;
  signal?: string;
  /** For kills: the downstream call (1-based, over the run) it struck during. */
  duringCall?: number;
  /** Why a held call ended: the evidence seen, or "max" when the hold ran out. */
  reason?: string;
  /** When the reason is "committed-past": how long the call had been held when the commit
   *  past it showed, and whether the same copy had finished later work by then. */
  committedPast?: { heldMs: number; laterDone: boolean };
  restarted?: boolean;
  /** scale-learner: whether the step started or stopped copy `instance`. */
  action?: 'start' | 'stop';
  /** A downstream's scheduled window: its name (runner/downstream-schedule.ts). */
  window?: string;
  /** kill-broker-node, pause-broker-node: the id of the broker node acted on (not a copy of
   *  the learner's program: such an event has no `instance`). */
  node?: number;
  /** kill-broker-node, pause-broker-node: the cluster of that node ("kafka-cluster", "rabbitmq-cluster"). */
  broker?: string;
}

/** A fault event as the history holds it: `t` is when it happened, `key` the message whose
 *  call it acted on (kills and pauses timed on a call). */
export type FaultOperation = Operation & { value: FaultEvent };

/** Whether an operation is a fault event (a `fault` operation with a phase). */
export function isFaultEvent(op: Operation): op is FaultOperation {
  return op.kind === 'fault' && isRecord(op.value) && typeof op.value.phase === 'string';
}

export function faultEvents(history: History): FaultOperation[] {
  return history.filter(isFaultEvent);
}

/**
 * Calls `listener` with every fault event of the run, in order: those already recorded at
 * once, then each one as it is recorded (synchronously, inside `record`). Replaying the
 * earlier ones first means an index built from it is the same as a scan of the history,
 * whenever it was started. Returns how to stop.
 */
export function onFaultEvent(recorder: HistoryRecorder, listener: (op: FaultOperation) => void): () => void {
  for (const op of faultEvents(recorder.history)) listener(op);
  return recorder.subscribe((op) => {
    if (isFaultEvent(op)) listener(op);
  });
}

/** One fault event's effect on the set of active faults (by the fault's id). */
/** A fault told apart by its name and id: a downstream's schedule records its windows with
 *  ids of its own, which may equal a scenario fault's index. */
function faultKey(event: FaultEvent): string {
  return `${event.fault}#${event.id}`;
}

function track(open: Set<string>, event: FaultEvent): void {
  if (event.phase === 'hold' || event.phase === 'start') open.add(faultKey(event));
  if (event.phase === 'heal') open.delete(faultKey(event));
}

/** True while some fault holds a call, or has struck and not healed (a killed program not
 *  yet restarted). A scan of the whole history: for a finished one (checks, tests). */
export function faultActive(history: History): boolean {
  const open = new Set<string>();
  for (const { value } of faultEvents(history)) track(open, value);
  return open.size > 0;
}

/** The active faults of a run as it goes: kept up to date from each fault event as it is
 *  recorded (onFaultEvent), so a workload may ask on every drain tick at no cost however
 *  long the history grows. Always the same answer as faultActive(recorder.history). */
export interface ActiveFaults {
  active(): boolean;
  /** The faults active now, as "<fault>#<id>" (id: the index in the scenario's list, or a
   *  downstream window's own id). */
  ids(): ReadonlySet<string>;
  /** Stops following the history. */
  stop(): void;
}

export function activeFaults(recorder: HistoryRecorder): ActiveFaults {
  const open = new Set<string>();
  const stop = onFaultEvent(recorder, (op) => track(open, op.value));
  return { active: () => open.size > 0, ids: () => open, stop };
}

/** The times (ms) at which the lab killed a learner process (not a broker node). */
export function killTimes(history: History): number[] {
  return faultEvents(history)
    .filter((op) => op.value.phase === 'start' && op.value.signal === 'SIGKILL' && op.value.node === undefined)
    .map((op) => op.t);
}
