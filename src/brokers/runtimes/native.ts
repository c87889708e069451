/**
 * The native runtime: brokers as plain processes on this machine (no Docker).
 *
 *   $BROKERLAB_HOME/brokers/<name>/state.json   what `up` started: pid, process group, start time
 *   $BROKERLAB_HOME/brokers/<name>/config/      config files, rewritten on every start
 *   $BROKERLAB_HOME/brokers/<name>/data/        data (kept between starts)
 *   $BROKERLAB_HOME/brokers/<name>/logs/        the broker's stdout+stderr (previous run: *.log.1)
 *
 * Each broker is spawned detached, in a process group of its own, so `down` can stop it and
 * everything it forked, and nothing else. A broker counts as "ours" only while the recorded
 * pid is alive and has the recorded kernel start time (pids get recycled).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { makeDir } from '../../dirs.js';
import { join } from 'node:path';
import { EnvironmentError } from '../../errors.js';
import type { BrokerDefinition, NativeDirs, NativeState } from '../definition.js';
import { isListening, reason } from '../net.js';
import { groupMembers, isAlive, isSameProcess, pollUntil, procStartTime, signalGroup } from '../process.js';
import type { BrokerName, BrokerStatus } from '../types.js';
import { brokerlabHome, tildify, vendorDir } from '../versions.js';
import { waitUntilReady } from '../wait.js';
import {
  answers,
  firstListening,
  portTakenMessage,
  STATUS_PROBE_MS,
  type DownResult,
  type Runtime,
  type RuntimeOptions,
  type UpResult,
} from './runtime.js';

/** How long `up`/`down` wait for another brokerlab process working on the same broker. */
const LOCK_WAIT_MS = 120_000;
/** After SIGKILL, how long to wait for the kernel to take the processes away. */
const KILL_WAIT_MS = 5_000;
/** After the processes are gone, how long to wait for their listening ports to close. */
const PORT_RELEASE_MS = 5_000;

export function nativeDirs(name: BrokerName, env: NodeJS.ProcessEnv = process.env): NativeDirs {
  const home = brokerlabHome(env);
  const brokerDir = join(home, 'brokers', name);
  return {
    home,
    brokerDir,
    dataDir: join(brokerDir, 'data'),
    logsDir: join(brokerDir, 'logs'),
    configDir: join(brokerDir, 'config'),
    vendorDir: vendorDir(env),
  };
}

const statePath = (dirs: NativeDirs): string => join(dirs.brokerDir, 'state.json');

export function readState(dirs: NativeDirs): NativeState | undefined {
  try {
    const state = JSON.parse(readFileSync(statePath(dirs), 'utf8')) as NativeState;
    return typeof state.pid === 'number' && typeof state.pgid === 'number' ? { ...state, extra: state.extra ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

function writeState(dirs: NativeDirs, state: NativeState): void {
  writeFileSync(statePath(dirs), JSON.stringify(state, null, 2) + '\n');
}

function removeState(dirs: NativeDirs): void {
  rmSync(statePath(dirs), { force: true });
}

/** True while the process recorded in state.json is alive and is still the same process. */
export function isOurs(state: NativeState | undefined): state is NativeState {
  return state !== undefined && isSameProcess(state.pid, state.procStart);
}

/** A live native broker started from this home, if any; used to prefer native for status/down. */
export function runningNatively(name: BrokerName, env: NodeJS.ProcessEnv): boolean {
  return isOurs(readState(nativeDirs(name, env)));
}

/**
 * The recorded process is gone. If members of its process group survived (the leader crashed
 * and left children), they are ours: the kernel does not reuse a pid as long as a process
 * group of that id exists.
 */
function clearStale(dirs: NativeDirs, state: NativeState): void {
  if (!isAlive(state.pid) && groupMembers(state.pgid).length > 0) signalGroup(state.pgid, 'SIGKILL');
  removeState(dirs);
}

/**
 * Serialises `up` and `down` of one broker across brokerlab processes (two terminals, parallel
 * test workers): without it both could see the port free, both spawn, and one state file
 * would end up describing the wrong process. The lock file holds the holder's pid; a lock
 * whose holder died is taken over.
 */
async function withLock<T>(def: BrokerDefinition, dirs: NativeDirs, work: () => Promise<T>): Promise<T> {
  makeDir(dirs.brokerDir);
  const file = join(dirs.brokerDir, 'lock');
  const take = (): boolean => {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      let holder = 0;
      try {
        holder = Number(readFileSync(file, 'utf8').trim()) || 0;
      } catch {
        return false; // released meanwhile; try again
      }
      if (holder > 0 && isAlive(holder)) return false;
      rmSync(file, { force: true }); // left by a brokerlab that died
      return false;
    }
  };
  if (!(await pollUntil(take, LOCK_WAIT_MS, 200))) {
    throw new EnvironmentError(
      `${def.label} is being started or stopped by another brokerlab process (see ${tildify(file)}); try again when it is done`,
    );
  }
  try {
    return await work();
  } finally {
    rmSync(file, { force: true });
  }
}

function startedWhen(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return date.toDateString() === new Date().toDateString()
    ? time
    : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

function describe(state: NativeState): string {
  return `native, pid ${state.pid}, started ${startedWhen(state.startedAt)} by brokerlab`;
}

/** Moves the previous run's log aside (one generation is kept) and opens a fresh one. */
function openLog(file: string): number {
  if (existsSync(file)) renameSync(file, `${file}.1`);
  return openSync(file, 'a');
}

/** Spawns the broker detached (own session and process group) with output to its log file. */
async function spawnDetached(
  def: BrokerDefinition,
  dirs: NativeDirs,
  env: NodeJS.ProcessEnv,
  previous: NativeState | undefined,
): Promise<NativeState> {
  const { launch, extra } = await def.native.prepare(dirs, previous);
  const log = openLog(def.native.logFile(dirs));
  try {
    const child = spawn(launch.command, launch.args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...env, ...launch.env },
      cwd: launch.cwd ?? dirs.dataDir,
      uid: launch.uid,
      gid: launch.gid,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    }).catch((error: unknown) => {
      throw new EnvironmentError(`cannot start ${def.label}: ${launch.command}: ${reason(error)}`);
    });
    child.unref(); // `up` returns while the broker keeps running
    const pid = child.pid!;
    return {
      runtime: 'native',
      pid,
      pgid: pid,
      startedAt: new Date().toISOString(),
      ...(procStartTime(pid) !== undefined ? { procStart: procStartTime(pid) } : {}),
      command: [launch.command, ...launch.args].join(' '),
      extra: extra ?? {},
    };
  } finally {
    closeSync(log);
  }
}

/**
 * Graceful stop (the broker's own way, else SIGTERM to its group), then SIGKILL to the group
 * after the broker's grace period; then waits until its ports are closed so an immediate
 * `up` does not see them taken.
 */
async function stopProcess(def: BrokerDefinition, dirs: NativeDirs, state: NativeState): Promise<void> {
  const gone = (): boolean => !isAlive(state.pid) && groupMembers(state.pgid).length === 0;
  if (def.native.stop) await def.native.stop(dirs, state);
  else signalGroup(state.pgid, 'SIGTERM');
  if (!(await pollUntil(gone, def.native.stopGraceMs))) {
    signalGroup(state.pgid, 'SIGKILL');
    if (!(await pollUntil(gone, KILL_WAIT_MS))) {
      throw new EnvironmentError(
        `could not stop ${def.label}: process group ${state.pgid} survived SIGKILL (pids ${groupMembers(state.pgid).join(', ')})`,
      );
    }
  }
  await def.native.afterStop?.(dirs, state);
  await pollUntil(async () => (await firstListening(def.ports, (port) => isListening(port))) === undefined, PORT_RELEASE_MS);
}

async function upLocked(def: BrokerDefinition, dirs: NativeDirs, options: RuntimeOptions): Promise<UpResult> {
  const endpoint = def.defaultEndpoint;
  const timeoutMs = options.timeoutMs ?? def.startTimeoutMs;
  const logFile = def.native.logFile(dirs);
  const result = (action: UpResult['action'], ms: number, state: NativeState): UpResult => ({
    name: def.name,
    runtime: 'native',
    action,
    ms,
    url: def.url(endpoint),
    detail: describe(state),
  });
  const wait = (state: NativeState): Promise<number> =>
    waitUntilReady({
      label: def.label,
      awaited: def.awaited(endpoint),
      probe: (attemptMs) => def.probe(endpoint, attemptMs),
      timeoutMs,
      log: tildify(logFile),
      stillRunning: () => isSameProcess(state.pid, state.procStart),
      ...(options.signal ? { signal: options.signal } : {}),
    });

  const previous = readState(dirs);
  if (isOurs(previous)) {
    // Started by this home earlier: leave a healthy broker alone, keep waiting for a starting one.
    const started = Date.now();
    if (await answers(def, endpoint, STATUS_PROBE_MS)) return result('already-running', Date.now() - started, previous);
    options.onProgress?.({ type: 'starting', name: def.name, label: def.label, runtime: 'native' });
    return result('started', await wait(previous), previous);
  }
  if (previous) clearStale(dirs, previous);

  def.native.checkInstalled(dirs);
  const taken = await firstListening(def.ports, (port) => isListening(port));
  if (taken !== undefined) throw new EnvironmentError(portTakenMessage(def, taken));

  for (const dir of [dirs.dataDir, dirs.logsDir, dirs.configDir]) makeDir(dir);
  options.onProgress?.({ type: 'starting', name: def.name, label: def.label, runtime: 'native' });
  const started = Date.now();
  const state = await spawnDetached(def, dirs, options.env, previous);
  writeState(dirs, state);
  try {
    await wait(state);
  } catch (error) {
    // `up` either leaves a ready broker or nothing: stop what we started, keep its log.
    await stopProcess(def, dirs, state).catch(() => signalGroup(state.pgid, 'SIGKILL'));
    removeState(dirs);
    throw error;
  }
  return result('started', Date.now() - started, state);
}

async function downLocked(def: BrokerDefinition, dirs: NativeDirs, options: RuntimeOptions): Promise<DownResult> {
  const state = readState(dirs);
  const result = (action: DownResult['action'], ms: number, detail: string): DownResult => ({
    name: def.name,
    runtime: 'native',
    action,
    ms,
    detail,
  });
  if (!isOurs(state)) {
    if (state) clearStale(dirs, state);
    const busy = await firstListening(def.ports, (port) => isListening(port));
    return result(
      'not-running',
      0,
      busy === undefined
        ? 'not running'
        : `not started by brokerlab; port ${busy} belongs to another process, which was left alone`,
    );
  }
  options.onProgress?.({ type: 'stopping', name: def.name, label: def.label, runtime: 'native' });
  const started = Date.now();
  await stopProcess(def, dirs, state);
  removeState(dirs);
  return result('stopped', Date.now() - started, `native, pid ${state.pid}`);
}

export const nativeRuntime: Runtime = {
  kind: 'native',

  endpoint: (def) => def.defaultEndpoint,

  up(def, options: RuntimeOptions): Promise<UpResult> {
    const dirs = nativeDirs(def.name, options.env);
    return withLock(def, dirs, () => upLocked(def, dirs, options));
  },

  down(def, options: RuntimeOptions): Promise<DownResult> {
    const dirs = nativeDirs(def.name, options.env);
    return withLock(def, dirs, () => downLocked(def, dirs, options));
  },

  async status(def, env): Promise<BrokerStatus> {
    const dirs = nativeDirs(def.name, env);
    const state = readState(dirs);
    const endpoint = def.defaultEndpoint;
    const healthy = await answers(def, endpoint, STATUS_PROBE_MS);
    const row = (health: BrokerStatus['health'], detail: string): BrokerStatus => ({
      name: def.name,
      runtime: 'native',
      url: def.url(endpoint),
      health,
      detail,
    });
    if (isOurs(state)) return row(healthy ? 'healthy' : 'starting', describe(state));
    if (healthy) return row('healthy', 'running, but not started by brokerlab');
    const busy = await firstListening(def.ports, (port) => isListening(port));
    if (busy !== undefined) return row('unreachable', `port ${busy} is in use by another process`);
    return row('unreachable', `not running (start it with: brokerlab up ${def.name})`);
  },
};
