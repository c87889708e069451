/**
 * The compose runtime: brokers as containers from compose/docker-compose.yml, one profile and
 * one service per broker (both named like the broker), under the compose project "brokerlab";
 * a broker of several nodes (the Kafka cluster) has one service per node, <broker>-<id>.
 * Published on the same 127.0.0.1 ports as the native runtime, so endpoints are identical.
 */
import { join } from 'node:path';
import { EnvironmentError } from '../../errors.js';
import type { BrokerDefinition } from '../definition.js';
import { isListening } from '../net.js';
import { run, type RunResult } from '../process.js';
import type { BrokerStatus } from '../types.js';
import { dockerEngineAvailable } from '../select.js';
import { repoRoot, tildify } from '../versions.js';
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

/** Compose project name: container names become brokerlab-<broker>-1. */
export const COMPOSE_PROJECT = 'brokerlab';
/** Pulling an image on a slow connection can take minutes; starting is bounded by --wait-timeout. */
const COMPOSE_COMMAND_MS = 15 * 60_000;
const COMPOSE_QUERY_MS = 30_000;

export function composeFile(): string {
  return join(repoRoot(), 'compose', 'docker-compose.yml');
}

/** `docker compose -f <file> -p brokerlab --profile <broker> <args...>` */
export function composeArgs(broker: string, args: string[]): string[] {
  return ['compose', '-f', composeFile(), '-p', COMPOSE_PROJECT, '--profile', broker, ...args];
}

function compose(broker: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return run('docker', composeArgs(broker, args), { env, timeoutMs });
}

/** The compose services of a broker: itself, or one per node ("kafka-cluster-1", ...). */
export function composeServices(def: BrokerDefinition): string[] {
  return def.native.nodes ? def.native.nodes.map((node) => `${def.name}-${node.id}`) : [def.name];
}

/** The command a person can run to read a broker's log, for messages. */
function logsCommand(def: BrokerDefinition): string {
  return `docker compose -f ${tildify(composeFile())} -p ${COMPOSE_PROJECT} --profile ${def.name} logs ${composeServices(def).join(' ')}`;
}

export interface ContainerState {
  name: string;
  /** "running", "exited", ... */
  state: string;
  /** "healthy", "starting", "unhealthy" or "" without a healthcheck. */
  health: string;
}

/**
 * Parses `docker compose ps --format json`: one JSON object per line (Compose >= 2.21) or a
 * single JSON array (older Compose v2).
 */
export function parseComposePs(output: string): ContainerState[] {
  const text = output.trim();
  if (text === '') return [];
  const rows: unknown[] = text.startsWith('[')
    ? (JSON.parse(text) as unknown[])
    : text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown);
  return rows.map((row) => {
    const r = row as Record<string, unknown>;
    return { name: String(r.Name ?? ''), state: String(r.State ?? ''), health: String(r.Health ?? '') };
  });
}

/**
 * The broker's container; for a broker of several nodes, one summary of its containers:
 * "running" only when all are, named "brokerlab-kafka-cluster-1-1, ...".
 */
async function container(def: BrokerDefinition, env: NodeJS.ProcessEnv): Promise<ContainerState | undefined> {
  const services = composeServices(def);
  const ps = await compose(def.name, ['ps', '--all', '--format', 'json', ...services], env, COMPOSE_QUERY_MS);
  if (ps.code !== 0) return undefined;
  let rows: ContainerState[];
  try {
    rows = parseComposePs(ps.output.split('\n').filter((line) => /^\s*[[{]/.test(line)).join('\n'));
  } catch {
    return undefined;
  }
  if (rows.length <= 1) return rows[0];
  const notRunning = rows.find((row) => row.state !== 'running');
  const unhealthy = rows.find((row) => row.health !== 'healthy');
  return {
    name: rows.map((row) => row.name).join(', '),
    state: rows.length < services.length ? 'partly running' : (notRunning?.state ?? 'running'),
    health: unhealthy?.health ?? 'healthy',
  };
}

/**
 * Before the first real compose command: a clear message when Docker or its compose plugin is
 * missing, instead of whatever `docker compose` prints then.
 */
async function preflight(env: NodeJS.ProcessEnv): Promise<void> {
  if (!(await dockerEngineAvailable())) {
    throw new EnvironmentError(
      'cannot use the compose runtime: no Docker engine answers (`docker info` failed). Start Docker, or use --runtime native',
    );
  }
  const version = await run('docker', ['compose', 'version'], { env, timeoutMs: COMPOSE_QUERY_MS });
  if (version.code !== 0) {
    throw new EnvironmentError(
      'cannot use the compose runtime: `docker compose` (Compose v2) is not installed. Install the Docker Compose plugin, or use --runtime native',
    );
  }
}

function lastLine(output: string): string {
  return output.trim().split('\n').pop()?.trim() || 'no output';
}

export const composeRuntime: Runtime = {
  kind: 'compose',

  endpoint: (def) => def.defaultEndpoint,

  async up(def, options: RuntimeOptions): Promise<UpResult> {
    const endpoint = def.defaultEndpoint;
    const timeoutMs = options.timeoutMs ?? def.startTimeoutMs;
    const result = (action: UpResult['action'], ms: number, name: string): UpResult => ({
      name: def.name,
      runtime: 'compose',
      action,
      ms,
      url: def.url(endpoint),
      detail: `compose, container ${name}`,
    });
    const started = Date.now();
    await preflight(options.env);
    const existing = await container(def, options.env);
    if (existing?.state === 'running' && (await answers(def, endpoint, STATUS_PROBE_MS))) {
      return result('already-running', Date.now() - started, existing.name);
    }
    if (existing?.state !== 'running') {
      const taken = await firstListening(def.ports, (port) => isListening(port));
      if (taken !== undefined) throw new EnvironmentError(portTakenMessage(def, taken));
    }
    options.onProgress?.({ type: 'starting', name: def.name, label: def.label, runtime: 'compose' });
    const waitSeconds = String(Math.ceil(timeoutMs / 1000));
    const upResult = await compose(
      def.name,
      ['up', '--detach', '--wait', '--wait-timeout', waitSeconds, ...composeServices(def)],
      options.env,
      COMPOSE_COMMAND_MS,
    );
    if (upResult.code !== 0) {
      throw new EnvironmentError(`docker compose could not start ${def.label}: ${lastLine(upResult.output)}`, `see: ${logsCommand(def)}`);
    }
    // The healthcheck passed inside the container; now the same probe as natively, from here.
    await waitUntilReady({
      label: def.label,
      awaited: def.awaited(endpoint),
      probe: (attemptMs) => def.probe(endpoint, attemptMs),
      timeoutMs,
      log: logsCommand(def),
    });
    const now = await container(def, options.env);
    return result('started', Date.now() - started, now?.name ?? `${COMPOSE_PROJECT}-${def.name}-1`);
  },

  async down(def, options: RuntimeOptions): Promise<DownResult> {
    const existing = await container(def, options.env);
    const result = (action: DownResult['action'], ms: number, detail: string): DownResult => ({
      name: def.name,
      runtime: 'compose',
      action,
      ms,
      detail,
    });
    if (!existing) return result('not-running', 0, 'not running (no container)');
    options.onProgress?.({ type: 'stopping', name: def.name, label: def.label, runtime: 'compose' });
    const started = Date.now();
    // Stop and remove this service's container and its anonymous volumes: the next `up` starts clean.
    const rm = await compose(def.name, ['rm', '--stop', '--force', '--volumes', ...composeServices(def)], options.env, COMPOSE_COMMAND_MS);
    if (rm.code !== 0) {
      throw new EnvironmentError(`docker compose could not stop ${def.label}: ${lastLine(rm.output)}`);
    }
    return result('stopped', Date.now() - started, `compose, container ${existing.name}`);
  },

  async status(def, env): Promise<BrokerStatus> {
    const endpoint = def.defaultEndpoint;
    const [existing, healthy] = await Promise.all([container(def, env), answers(def, endpoint, STATUS_PROBE_MS)]);
    const row = (health: BrokerStatus['health'], detail: string): BrokerStatus => ({
      name: def.name,
      runtime: 'compose',
      url: def.url(endpoint),
      health,
      detail,
    });
    if (existing?.state === 'running') {
      const container = `compose, container ${existing.name}${existing.health ? ` (${existing.health})` : ''}`;
      return row(healthy ? 'healthy' : 'starting', container);
    }
    if (healthy) return row('healthy', 'running, but not started by brokerlab');
    return row('unreachable', existing ? `compose, container ${existing.name} ${existing.state}` : `not running (start it with: brokerlab up ${def.name})`);
  },
};
