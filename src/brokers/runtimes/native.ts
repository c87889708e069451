/**
 * The native runtime: brokers as plain processes on this machine (no Docker).
 *
 *   $BROKERLAB_HOME/brokers/<name>/state.json   what `up` started: pid, process group, start time
 *   $BROKERLAB_HOME/brokers/<name>/config/      config files, rewritten on every start
 *   $BROKERLAB_HOME/brokers/<name>/data/        data (kept between starts)
 *   $BROKERLAB_HOME/brokers/<name>/logs/        the broker's stdout+stderr (previous run: *.log.1)
 *
 * A broker of several processes (the Kafka cluster, NativeSpec.nodes) has one such set of
 * folders per node under brokers/<name>/node-<id>/, each with its own state.json: `up` starts
 * the nodes that are not running (all of them, or the one a fault killed), `down` stops all.
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
import type { BrokerDefinition, NativeDirs, NativeNode, NativeState } from '../definition.js';
import { isListening, reason } from '../net.js';
import { groupMembers, isAlive, isSameProcess, isStopped, pollUntil, procStartTime, signalGroup } from '../process.js';
import type { BrokerName, BrokerStatus, NodeStatus } from '../types.js';
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

/** The folders of a broker, or of one node of a broker of several (brokers/<name>/node-<id>). */
export function nativeDirs(name: BrokerName, env: NodeJS.ProcessEnv = process.env, node?: number): NativeDirs {
  const home = brokerlabHome(env);
  const brokerDir = join(home, 'brokers', name, ...(node === undefined ? [] : [`node-${node}`]));
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

/** One process of a broker: the broker itself, or one node of a broker of several. */
export interface Member {
  dirs: NativeDirs;
  /** Set for a node of a broker of several. */
  node?: NativeNode;
  /** The ports it listens on. */
  ports: number[];
}

/** The processes a broker is made of: itself, or each of its nodes. */
export function membersOf(def: BrokerDefinition, env: NodeJS.ProcessEnv): Member[] {
  const nodes = def.native.nodes;
  if (!nodes) return [{ dirs: nativeDirs(def.name, env), ports: def.ports }];
  return nodes.map((node) => ({ dirs: nativeDirs(def.name, env, node.id), node, ports: node.ports }));
}

/** A live native broker started from this home (any node of it), if any; used to prefer
 *  native for status/down. */
export function runningNatively(def: BrokerDefinition, env: NodeJS.ProcessEnv): boolean {
  return membersOf(def, env).some((member) => isOurs(readState(member.dirs)));
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

/** describe() for every running member: one node as before, several as "3 nodes (pids ...)". */
function describeAll(members: readonly Member[], states: ReadonlyArray<NativeState | undefined>): string {
  const running = states.filter(isOurs);
  const [first] = running;
  if (!first) return 'not running';
  if (members.length === 1) return describe(first);
  const earliest = running.map((state) => state.startedAt).sort()[0] ?? first.startedAt;
  const nodes = running.length === members.length ? `${members.length} nodes` : `${running.length} of ${members.length} nodes`;
  return `native, ${nodes} (pids ${running.map((state) => state.pid).join(', ')}), started ${startedWhen(earliest)} by brokerlab`;
}

/** Wakes a member left SIGSTOPped (a pause-broker-node fault whose brokerlab was killed). */
function resumeIfPaused(state: NativeState | undefined): void {
  if (isOurs(state) && isStopped(state.pid)) signalGroup(state.pgid, 'SIGCONT');
}

/** Moves the previous run's log aside (one generation is kept) and opens a fresh one. */
function openLog(file: string): number {
  if (existsSync(file)) renameSync(file, `${file}.1`);
  return openSync(file, 'a');
}

/** Spawns the broker detached (own session and process group) with output to its log file. */
async function spawnDetached(
  def: BrokerDefinition,
  member: Member,
  env: NodeJS.ProcessEnv,
  previous: NativeState | undefined,
): Promise<NativeState> {
  const dirs = member.dirs;
  const { launch, extra } = await def.native.prepare(dirs, previous, member.node);
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
      throw new EnvironmentError(`cannot start ${def.label}${member.node ? ` node ${member.node.id}` : ''}: ${launch.command}: ${reason(error)}`);
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
 * `up` does not see them taken. A member paused by a fault is woken first: a stopped process
 * cannot act on SIGTERM.
 */
async function stopProcess(def: BrokerDefinition, member: Member, state: NativeState): Promise<void> {
  const dirs = member.dirs;
  const gone = (): boolean => !isAlive(state.pid) && groupMembers(state.pgid).length === 0;
  signalGroup(state.pgid, 'SIGCONT');
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
  await pollUntil(async () => (await firstListening(member.ports, (port) => isListening(port))) === undefined, PORT_RELEASE_MS);
}

async function upLocked(def: BrokerDefinition, options: RuntimeOptions): Promise<UpResult> {
  const endpoint = def.defaultEndpoint;
  const timeoutMs = options.timeoutMs ?? def.startTimeoutMs;
  const members = membersOf(def, options.env);
  const logFile = members.length === 1 ? tildify(def.native.logFile(members[0]!.dirs)) : members.map((m) => tildify(def.native.logFile(m.dirs))).join(', ');
  const result = (action: UpResult['action'], ms: number, states: ReadonlyArray<NativeState | undefined>): UpResult => ({
    name: def.name,
    runtime: 'native',
    action,
    ms,
    url: def.url(endpoint),
    detail: describeAll(members, states),
  });
  const wait = (states: readonly NativeState[]): Promise<number> =>
    waitUntilReady({
      label: def.label,
      awaited: def.awaited(endpoint),
      probe: (attemptMs) => def.probe(endpoint, attemptMs),
      timeoutMs,
      log: logFile,
      stillRunning: () => states.every((state) => isSameProcess(state.pid, state.procStart)),
      ...(options.signal ? { signal: options.signal } : {}),
    });

  const previous = members.map((member) => readState(member.dirs));
  if (options.resumePaused !== false) for (const state of previous) resumeIfPaused(state);
  if (previous.every(isOurs)) {
    // Started by this home earlier: leave a healthy broker alone, keep waiting for a starting one.
    const started = Date.now();
    if (await answers(def, endpoint, STATUS_PROBE_MS)) return result('already-running', Date.now() - started, previous);
    options.onProgress?.({ type: 'starting', name: def.name, label: def.label, runtime: 'native' });
    return result('started', await wait(previous.filter(isOurs)), previous);
  }
  // The members to start: all of them, or (a broker of several) the nodes that are not running.
  const missing = members.flatMap((member, i) => (isOurs(previous[i]) ? [] : [{ member, previous: previous[i] }]));
  for (const { member, previous: stale } of missing) if (stale) clearStale(member.dirs, stale);

  def.native.checkInstalled(members[0]!.dirs);
  for (const { member } of missing) {
    const taken = await firstListening(member.ports, (port) => isListening(port));
    if (taken !== undefined) throw new EnvironmentError(portTakenMessage(def, taken));
  }

  for (const { member } of missing) for (const dir of [member.dirs.dataDir, member.dirs.logsDir, member.dirs.configDir]) makeDir(dir);
  options.onProgress?.({ type: 'starting', name: def.name, label: def.label, runtime: 'native' });
  const started = Date.now();
  const launched: Array<{ member: Member; state: NativeState }> = [];
  try {
    for (const { member, previous: stale } of missing) {
      const state = await spawnDetached(def, member, options.env, stale);
      writeState(member.dirs, state);
      launched.push({ member, state });
    }
    if (def.native.formCluster) {
      await def.native.formCluster(members.flatMap((member) => (member.node ? [{ dirs: member.dirs, node: member.node }] : [])), timeoutMs);
    }
    await wait(members.map((member) => readState(member.dirs)).filter(isOurs));
  } catch (error) {
    // `up` either leaves a ready broker or nothing new: stop what we started, keep its log.
    for (const { member, state } of launched) {
      await stopProcess(def, member, state).catch(() => signalGroup(state.pgid, 'SIGKILL'));
      removeState(member.dirs);
    }
    throw error;
  }
  return result('started', Date.now() - started, members.map((member) => readState(member.dirs)));
}

async function downLocked(def: BrokerDefinition, options: RuntimeOptions): Promise<DownResult> {
  const members = membersOf(def, options.env);
  const states = members.map((member) => readState(member.dirs));
  const result = (action: DownResult['action'], ms: number, detail: string): DownResult => ({
    name: def.name,
    runtime: 'native',
    action,
    ms,
    detail,
  });
  for (const [i, member] of members.entries()) {
    const state = states[i];
    if (state && !isOurs(state)) clearStale(member.dirs, state);
  }
  const running = members.flatMap((member, i) => {
    const state = states[i];
    return isOurs(state) ? [{ member, state }] : [];
  });
  if (running.length === 0) {
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
  // The nodes of a cluster stop together: one by one, the last would wait for a quorum.
  await Promise.all(
    running.map(async ({ member, state }) => {
      await stopProcess(def, member, state);
      removeState(member.dirs);
    }),
  );
  const pids = running.map(({ state }) => state.pid).join(', ');
  return result('stopped', Date.now() - started, members.length === 1 ? `native, pid ${pids}` : `native, ${running.length} node${running.length === 1 ? '' : 's'}, pids ${pids}`);
}

/** One line per node of a broker of several, for `status`. */
async function nodeStatuses(def: BrokerDefinition, members: readonly Member[], states: ReadonlyArray<NativeState | undefined>): Promise<NodeStatus[]> {
  const leader = await def.quorumLeader?.(def.defaultEndpoint, STATUS_PROBE_MS).catch(() => undefined);
  return members.flatMap((member, i) => {
    if (!member.node) return [];
    const state = states[i];
    const ours = isOurs(state);
    return [
      {
        id: member.node.id,
        address: member.node.address,
        state: !ours ? 'down' : isStopped(state.pid) ? 'paused' : 'up',
        controller: ours && leader === member.node.id,
        detail: ours ? `pid ${state.pid}` : '',
      } satisfies NodeStatus,
    ];
  });
}

export const nativeRuntime: Runtime = {
  kind: 'native',

  endpoint: (def) => def.defaultEndpoint,

  up(def, options: RuntimeOptions): Promise<UpResult> {
    return withLock(def, nativeDirs(def.name, options.env), () => upLocked(def, options));
  },

  down(def, options: RuntimeOptions): Promise<DownResult> {
    return withLock(def, nativeDirs(def.name, options.env), () => downLocked(def, options));
  },

  async status(def, env): Promise<BrokerStatus> {
    const members = membersOf(def, env);
    const states = members.map((member) => readState(member.dirs));
    const endpoint = def.defaultEndpoint;
    const [healthy, nodes] = await Promise.all([
      answers(def, endpoint, STATUS_PROBE_MS),
      def.native.nodes ? nodeStatuses(def, members, states) : Promise.resolve(undefined),
    ]);
    const row = (health: BrokerStatus['health'], detail: string): BrokerStatus => ({
      name: def.name,
      runtime: 'native',
      url: def.url(endpoint),
      health,
      detail,
      ...(nodes ? { nodes } : {}),
    });
    const ours = states.filter(isOurs).length;
    if (ours === members.length) return row(healthy ? 'healthy' : 'starting', describeAll(members, states));
    // Some nodes of a broker of several run: it may answer, but not with all of them.
    if (ours > 0) return row('degraded', describeAll(members, states));
    if (healthy) return row('healthy', 'running, but not started by brokerlab');
    const busy = await firstListening(def.ports, (port) => isListening(port));
    if (busy !== undefined) return row('unreachable', `port ${busy} is in use by another process`);
    return row('unreachable', `not running (start it with: brokerlab up ${def.name})`);
  },
};

/**
 * For the node faults (faults/kill-broker-node.ts, pause-broker-node.ts): the running
 * process of one node of a broker of several, or undefined when it is not running.
 */
export function nativeNode(def: BrokerDefinition, id: number, env: NodeJS.ProcessEnv = process.env): { pid: number; pgid: number; paused: boolean } | undefined {
  const member = membersOf(def, env).find((m) => m.node?.id === id);
  const state = member ? readState(member.dirs) : undefined;
  return isOurs(state) ? { pid: state.pid, pgid: state.pgid, paused: isStopped(state.pid) } : undefined;
}

/**
 * Crashes one node (SIGKILL to its process group) and waits until it is gone, its state
 * cleared; `up` (nativeRuntime.up) starts it again, with its data kept. Under the broker's
 * lock, so it never races an `up` or `down`.
 */
export async function killNode(def: BrokerDefinition, id: number, env: NodeJS.ProcessEnv = process.env): Promise<{ pid: number }> {
  return withLock(def, nativeDirs(def.name, env), async () => {
    const member = membersOf(def, env).find((m) => m.node?.id === id);
    const state = member ? readState(member.dirs) : undefined;
    if (!member || !isOurs(state)) throw new EnvironmentError(`${def.label} node ${id} is not running, so it cannot be killed`);
    signalGroup(state.pgid, 'SIGKILL');
    if (!(await pollUntil(() => !isAlive(state.pid) && groupMembers(state.pgid).length === 0, KILL_WAIT_MS))) {
      throw new EnvironmentError(`${def.label} node ${id} survived SIGKILL (pid ${state.pid})`);
    }
    removeState(member.dirs);
    await pollUntil(async () => (await firstListening(member.ports, (port) => isListening(port))) === undefined, PORT_RELEASE_MS);
    return { pid: state.pid };
  });
}
