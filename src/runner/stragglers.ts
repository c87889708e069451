/**
 * Processes the learner's program left behind. The lab stops each copy by killing its
 * process group, but a child that started a session of its own (setsid, `detached: true`)
 * leaves that group and would outlive the run: it could keep using the brokers, or rewrite
 * the run's artifacts after the verdict was written. Every process the learner's program
 * starts inherits its environment, BROKERLAB_RUN_ID included, unless it deliberately clears
 * it; so the lab finds the stragglers by that variable in /proc/<pid>/environ.
 *
 * The same variable finds orphans: learner processes of a run whose brokerlab was itself
 * killed (kill -9, a cancelled CI job) and so never cleaned up. Each run stops those first.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Pids (other than our own) whose environment has BROKERLAB_RUN_ID=<runId>. */
export function processesOfRun(runId: string): number[] {
  return processesWithRunId().filter((p) => p.runId === runId).map((p) => p.pid);
}

/** Every process (but this one) with a BROKERLAB_RUN_ID in its environment. */
function processesWithRunId(): Array<{ pid: number; runId: string }> {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return []; // no /proc (not Linux): only the process groups are stopped
  }
  const found: Array<{ pid: number; runId: string }> = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      const runId = environ.split('\0').find((v) => v.startsWith('BROKERLAB_RUN_ID='))?.slice('BROKERLAB_RUN_ID='.length);
      if (runId) found.push({ pid: Number(entry), runId });
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

/** Rounds of killStragglers: a program that forks as fast as it can is frozen, then killed,
 *  a few times over; each round finds what the previous one's survivors forked. */
const KILL_ROUNDS = 10;

/**
 * SIGKILLs every process of the run that is still alive; returns their pids. Each round
 * first stops (SIGSTOP) everything it found, then kills it: a stopped process cannot fork
 * a new child between its siblings' deaths. Rounds repeat until none is left (bounded).
 */
export function killStragglers(runId: string): number[] {
  const killed = new Set<number>();
  for (let round = 0; round < KILL_ROUNDS; round++) {
    const pids = processesOfRun(runId);
    if (pids.length === 0) break;
    for (const signal of ['SIGSTOP', 'SIGKILL'] as const) {
      for (const pid of pids) {
        try {
          process.kill(pid, signal);
        } catch {
          // already gone
        }
      }
    }
    for (const pid of pids) killed.add(pid);
  }
  return [...killed];
}

/** Runs are capped at a few minutes (a scenario's timeouts.runMs); a learner process of a run
 *  that started longer ago than this can only be left over from a brokerlab that was itself
 *  killed (kill -9, a CI job cancelled) and could not clean up. */
export const ORPHAN_AGE_MS = 15 * 60_000;

/** "20261122043156" (UTC, as run ids and namespaces carry it) -> that moment. */
function utcOfStamp(stamp: string): Date {
  const [y, mo, d, h, mi, se] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(stamp.slice(at, at + (i === 0 ? 4 : 2))));
  return new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, se ?? 0));
}

/** True when a run that started at `stamp` must be over by `now` (see ORPHAN_AGE_MS). */
export function startedLongAgo(stamp: string, now: Date): boolean {
  return now.getTime() - utcOfStamp(stamp).getTime() > ORPHAN_AGE_MS;
}

/** When a run started, from its id ("20261122-043156-ycgx-<exercise>", UTC). */
export function runStartedAt(runId: string): Date | undefined {
  const m = /^(\d{8})-(\d{6})-/.exec(runId);
  return m ? utcOfStamp(`${m[1]}${m[2]}`) : undefined;
}

/** True for a run id whose run must be over by `now` (see ORPHAN_AGE_MS). */
export function isStaleRun(runId: string, now: Date): boolean {
  const started = runStartedAt(runId);
  return started !== undefined && now.getTime() - started.getTime() > ORPHAN_AGE_MS;
}

/** SIGKILLs learner processes of runs long over (see ORPHAN_AGE_MS); returns their pids. */
export function killOrphans(now = new Date()): number[] {
  const pids = processesWithRunId()
    .filter((p) => isStaleRun(p.runId, now))
    .map((p) => p.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}
