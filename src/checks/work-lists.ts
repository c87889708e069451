/**
 * Snapshots of a Redis work queue ("reliable queue": BLMOVE into a processing list per
 * worker, LREM once done, a reaper for dead workers' lists), as the lab takes them while a
 * run goes on. Shared by the workload that takes them and the checks that read them
 * (reliable-queue, done-once); the learner's program never reports them about itself.
 *
 * Definitions:
 * - snapshot: an `observe` operation with key "work-lists" whose value is read in one MULTI:
 *   the job ids in the queue, in each copy's processing list (by copy number), and which
 *   copies' heartbeat keys exist. `takenAt` is when the lab sent the MULTI; the operation's
 *   `t` is when the answer came back, so it shows Redis at one moment between the two.
 * - final snapshot: the one taken after the program was stopped (`final: true`).
 * - pushed before a snapshot: the lab's `produce` of the job was recorded before `takenAt`
 *   (it is recorded once Redis acknowledged the LPUSH).
 * - done before a snapshot: a successful call for the job was recorded before the
 *   operation's `t`. The lab records a call as done before its answer leaves, so a program
 *   that removes a job only after that answer cannot have removed it before it was "done".
 * - pending at a snapshot: pushed before it and not done before it. A reliable queue holds a
 *   pending job in the queue or in a processing list, always.
 * - alive at time t: a copy the lab had not killed by then (or restarted since).
 */
import type { History, Operation } from '../runner/history.js';
import { type WorkListsSnapshot, observationsOf } from '../runner/observations.js';
import { faultEvents } from '../faults/events.js';
import { type Selector, select } from './types.js';
import { callValue } from '../runner/calls.js';

export type SnapshotOp = Operation & { value: WorkListsSnapshot };

export function snapshotsOf(history: History): SnapshotOp[] {
  // A saved history is read back from JSON: only well-formed snapshots count.
  return observationsOf(history, 'work-lists').filter((op) => typeof op.value.takenAt === 'number');
}

/** Which copy's processing list holds the job in this snapshot, or "queue", or undefined. */
export function whereIs(snapshot: WorkListsSnapshot, job: string): 'queue' | number | undefined {
  if (snapshot.queue.includes(job)) return 'queue';
  for (const [copy, jobs] of Object.entries(snapshot.processing)) if (jobs.includes(job)) return Number(copy);
  return undefined;
}

/** When each job was first pushed (its produce op), by job id. */
export function pushedAt(history: History, sent: Selector): Map<string, number> {
  const times = new Map<string, number>();
  for (const op of select(history, sent, 'ok')) if (op.key !== undefined && !times.has(op.key)) times.set(op.key, op.t);
  return times;
}

/** Lists under the processing prefix that are not the copies' own, in the order the
 *  snapshots first found them ("worker-1"). */
export function strayListsOf(history: History): string[] {
  return [...new Set(snapshotsOf(history).flatMap((s) => s.value.otherLists ?? []))];
}

/** One successful call for a job. `callerGaveUp`: the copy had stopped waiting for the
 *  answer (a client timeout) though the service did the work. */
export interface DoneCall {
  t: number;
  instance: number;
  arrivedAt: number;
  callerGaveUp: boolean;
}

/** The successful calls for each job, in order, with the copy that made them. */
export function doneCalls(history: History, done: Selector): Map<string, DoneCall[]> {
  const calls = new Map<string, DoneCall[]>();
  for (const op of select(history, done, 'ok')) {
    if (op.key === undefined) continue;
    const v = callValue(op);
    calls.set(op.key, [...(calls.get(op.key) ?? []), { t: op.t, instance: v?.instance ?? 1, arrivedAt: v?.arrivedAt ?? op.t, callerGaveUp: v?.callerGaveUp === true }]);
  }
  return calls;
}

/** Kills and restarts of learner copies, from the fault events. */
export interface LifeEvents {
  /** When the lab killed each copy (all kills, in order). */
  kills: Map<number, number[]>;
  /** When the lab restarted each copy. */
  restarts: Map<number, number[]>;
}

export function lifeEventsOf(history: History): LifeEvents {
  const kills = new Map<number, number[]>();
  const restarts = new Map<number, number[]>();
  for (const op of faultEvents(history)) {
    const instance = op.value.instance;
    if (instance === undefined) continue;
    if (op.value.phase === 'start' && op.value.signal === 'SIGKILL') kills.set(instance, [...(kills.get(instance) ?? []), op.t]);
    if (op.value.phase === 'heal' && op.value.restarted === true) restarts.set(instance, [...(restarts.get(instance) ?? []), op.t]);
  }
  return { kills, restarts };
}

/** The time the lab killed this copy, if it was dead at `t` (killed, not restarted since). */
export function killedBefore(life: LifeEvents, instance: number, t: number): number | undefined {
  const kill = [...(life.kills.get(instance) ?? [])].reverse().find((k) => k <= t);
  if (kill === undefined) return undefined;
  const restarted = (life.restarts.get(instance) ?? []).some((r) => r > kill && r <= t);
  return restarted ? undefined : kill;
}

/** "copy 2" */
export function copy(instance: number | string): string {
  return `copy ${instance}`;
}
