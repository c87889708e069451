/**
 * "Your program had exited": for checks whose evidence stops where the learner's program
 * died. When a copy exits on its own, the runner's first check (program-starts) already says
 * so, with its stderr; what a later check then misses (messages never consumed, never
 * published, left to expire) is the crash's doing, not the mistake that check usually finds.
 * Such a check names the exit instead of a configuration hint that would send the learner
 * after code that is right.
 *
 * Definitions:
 * - an early exit: the first exit of a copy of the program that the lab did not cause (a
 *   crash, or an end of its own), at the time it was recorded.
 */
import type { History } from '../runner/history.js';
import { crashes } from '../runner/learner-events.js';
import { type CheckResult, seconds } from './types.js';

export interface EarlyExit {
  /** When it exited (ms into the run). */
  t: number;
  /** Which copy ("learner-1"). */
  process: string;
  /** What a check says about it, for its `observed`. */
  note: string;
}

/** The cause a check names when its failure is the early exit's doing, with its general hint. */
export const EXITED_CAUSE = {
  'program-exited': 'Your program had exited on its own before the lab finished (the first failing check shows how, and its stderr log says why): nothing was consumed or published after that, so this check could not see the rest. Fix the crash first; this check is judged again on the next run.',
} as const;

/** The first exit the lab did not cause, or undefined when every copy ran until it was stopped (pure). */
export function exitedEarly(history: History): EarlyExit | undefined {
  const exit = crashes(history)[0];
  if (!exit) return undefined;
  return {
    t: exit.t,
    process: exit.process,
    note: `your program had exited at ${seconds(exit.t)} (see the first failing check): nothing consumed or published after that`,
  };
}

/** A failing result re-told as the early exit's doing: the exit first, then what the check saw. */
export function blamedOnExit<R extends Omit<CheckResult, 'name' | 'weight'>>(result: R, exit: EarlyExit): R {
  return { ...result, status: 'fail', observed: `${exit.note}; ${result.observed}`, cause: 'program-exited' };
}
