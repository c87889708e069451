/**
 * Processes the learner's program left behind. The lab stops each copy by killing its
 * process group, but a child that started a session of its own (setsid, `detached: true`)
 * leaves that group and would outlive the run: it could keep using the brokers, or rewrite
 * the run's artifacts after the verdict was written. Every process the learner's program
 * starts inherits its environment, BROKERLAB_RUN_ID included, unless it deliberately clears
 * it; so the lab finds the stragglers by that variable in /proc/<pid>/environ.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Pids (other than our own) whose environment has BROKERLAB_RUN_ID=<runId>. */
export function processesOfRun(runId: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return []; // no /proc (not Linux): only the process groups are stopped
  }
  const marker = `BROKERLAB_RUN_ID=${runId}`;
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (environ.split('\0').includes(marker)) found.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

/** SIGKILLs every process of the run that is still alive; returns their pids. */
export function killStragglers(runId: string): number[] {
  const pids = processesOfRun(runId);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}
