/**
 * Process helpers for the native runtime. Linux /proc is used when present to tell a live
 * process from a zombie and to recognise a recycled pid; elsewhere we fall back to kill(0).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const HAVE_PROC = existsSync('/proc/self/stat');

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces and ")". */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The kernel's start time of a process (clock ticks since boot), or undefined. */
export function procStartTime(pid: number): string | undefined {
  // After the command name: [0] state, [1] ppid, [2] pgrp, ... [19] starttime (field 22).
  return statFields(pid)?.[19];
}

/** True when the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (HAVE_PROC) {
    const fields = statFields(pid);
    return fields !== undefined && fields[0] !== 'Z' && fields[0] !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the process is stopped by a signal (SIGSTOP: state "T"); false where /proc is missing. */
export function isStopped(pid: number): boolean {
  return statFields(pid)?.[0] === 'T';
}

/** True when `pid` is alive and is the same process we recorded (not a recycled pid). */
export function isSameProcess(pid: number, recordedStart: string | undefined): boolean {
  if (!isAlive(pid)) return false;
  if (recordedStart === undefined || !HAVE_PROC) return true;
  return procStartTime(pid) === recordedStart;
}

/** Pids of live (non-zombie) processes in a process group. */
export function groupMembers(pgid: number): number[] {
  if (!HAVE_PROC) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(entry));
  }
  return members;
}

/** Sends a signal to a whole process group; a group that is already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export { sleep };

/** Polls `condition` every `intervalMs` until it holds (true) or `timeoutMs` passes (false). */
export async function pollUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

export interface RunResult {
  code: number | null;
  output: string;
}

/**
 * Runs a short helper command (rabbitmqctl, pg_ctl, initdb, StorageTool) to completion and
 * returns its exit code and combined output. Never throws for a non-zero exit; a command that
 * cannot be started at all gives code null with the reason as output.
 */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => resolve({ code: null, output: error.message }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The first existing executable among absolute candidates or names on PATH, or undefined. */
export function findExecutable(candidates: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? '').split(':').filter(Boolean);
  for (const candidate of candidates) {
    if (candidate.includes('/')) {
      if (existsSync(candidate)) return candidate;
      continue;
    }
    for (const dir of dirs) {
      if (existsSync(`${dir}/${candidate}`)) return `${dir}/${candidate}`;
    }
  }
  return undefined;
}
