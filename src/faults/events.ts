/**
 * Fault events in the history, typed. Every fault records what it did as `fault`
 * operations; workloads (to tell a restart from the end of the work) and checks (to tell a
 * loss at a kill from any other loss) read them back through these functions.
 *
 * Definitions:
 * - phases: "hold" (a downstream call is held open, the fault waits for its moment),
 *   "start" (the fault struck: a kill), "heal" (it is over: the process was restarted, or
 *   the lab will not restart it).
 * - active: a fault that is holding a call or has started, and has not healed: while one
 *   is active the run's outcome is not settled, whatever the program does meanwhile.
 */
import type { History, Operation } from '../runner/history.js';

export type FaultPhase = 'hold' | 'start' | 'heal';

export interface FaultEvent {
  fault: string;
  /** The fault's index in the scenario's list: tells two kills of one run apart. */
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
}

export function faultEvents(history: History): Array<Operation & { value: FaultEvent }> {
  return history.filter((op): op is Operation & { value: FaultEvent } => op.kind === 'fault' && typeof (op.value as FaultEvent | undefined)?.phase === 'string');
}

/** True while some fault holds a call, or has struck and not healed (a killed program not
 *  yet restarted). */
export function faultActive(history: History): boolean {
  const open = new Set<number>();
  for (const { value } of faultEvents(history)) {
    if (value.phase === 'hold' || value.phase === 'start') open.add(value.id);
    if (value.phase === 'heal') open.delete(value.id);
  }
  return open.size > 0;
}

/** The times (ms) at which the lab killed a learner process. */
export function killTimes(history: History): number[] {
  return faultEvents(history)
    .filter((op) => op.value.phase === 'start' && op.value.signal === 'SIGKILL')
    .map((op) => op.t);
}
