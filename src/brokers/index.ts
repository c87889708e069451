/**
 * The brokers layer's public API.
 *
 *   ensureReachable(names)  for the runner: endpoints of brokers that answer right now, or one
 *                           EnvironmentError line saying which does not and what to do
 *   up / down / status      for `brokerlab up|down|status`
 *
 * Runtime selection is in select.ts; each runtime in ./runtimes; each broker in its own module.
 */
import { EnvironmentError, UsageError } from '../errors.js';
import type { BrokerDefinition } from './definition.js';
import { reason, withTimeout } from './net.js';
import { BROKER_LABELS, brokerDef, parseBrokerNames } from './registry.js';
import { composeRuntime } from './runtimes/compose.js';
import { externalRuntime, externalUnreachable } from './runtimes/external.js';
import { isOurs, membersOf, nativeDirs, nativeRuntime, readState, runningNatively } from './runtimes/native.js';
import type { DownResult, ProgressEvent, Runtime, UpResult } from './runtimes/runtime.js';
import { dockerEngineAvailable, parseRuntime, RUNTIME_KINDS, selectRuntime } from './select.js';
import { BROKER_NAMES, type BrokerName, type BrokerStatus, type Endpoints, type RuntimeKind } from './types.js';

export { BROKER_LABELS, BROKER_NAMES, parseBrokerNames, parseRuntime, RUNTIME_KINDS };
export type { BrokerName, BrokerStatus, DownResult, Endpoints, ProgressEvent, RuntimeKind, UpResult };

/** Default for ensureReachable: one probe per broker, this long at most. */
const REACHABLE_TIMEOUT_MS = 5_000;

const RUNTIMES: Record<RuntimeKind, Runtime> = {
  native: nativeRuntime,
  compose: composeRuntime,
  external: externalRuntime,
};

export interface BrokerOptions {
  /** --runtime: overrides BROKERLAB_RUNTIME and autodetection (not BROKERLAB_* URLs). */
  runtime?: RuntimeKind;
  /** How long `up` waits for each broker to become ready; default per broker (Kafka 60s). */
  timeoutMs?: number;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Called as each broker starts/stops and when it is done. */
  onProgress?: (event: ProgressEvent) => void;
  /** Ctrl-C / SIGTERM: `up` stops waiting and leaves nothing half-started. */
  signal?: AbortSignal;
}

async function runtimeOf(def: BrokerDefinition, options: BrokerOptions): Promise<Runtime> {
  const env = options.env ?? process.env;
  const kind = await selectRuntime(def, {
    env,
    ...(options.runtime ? { runtime: options.runtime } : {}),
    runningNatively: () => runningNatively(def, env),
    dockerAvailable: dockerEngineAvailable,
  });
  return RUNTIMES[kind];
}

/** Starts brokers one after another (in BROKER_NAMES order) and waits until each answers. */
export async function up(names: readonly BrokerName[], options: BrokerOptions = {}): Promise<UpResult[]> {
  const env = options.env ?? process.env;
  const results: UpResult[] = [];
  for (const name of BROKER_NAMES.filter((n) => names.includes(n))) {
    const def = brokerDef(name);
    const runtime = await runtimeOf(def, options);
    const result = await runtime.up(def, {
      env,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    options.onProgress?.({ type: 'up', result });
    results.push(result);
  }
  return results;
}

/** Stops brokers in reverse start order; only what brokerlab started is touched. */
export async function down(names: readonly BrokerName[], options: BrokerOptions = {}): Promise<DownResult[]> {
  const env = options.env ?? process.env;
  const results: DownResult[] = [];
  for (const name of BROKER_NAMES.filter((n) => names.includes(n)).reverse()) {
    const def = brokerDef(name);
    const runtime = await runtimeOf(def, options);
    const result = await runtime.down(def, { env, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    options.onProgress?.({ type: 'down', result });
    results.push(result);
  }
  return results;
}

/** One row per broker (in BROKER_NAMES order); never throws for a broker that is down. */
export async function status(names: readonly BrokerName[], options: Pick<BrokerOptions, 'runtime' | 'env'> = {}): Promise<BrokerStatus[]> {
  const env = options.env ?? process.env;
  return Promise.all(
    BROKER_NAMES.filter((n) => names.includes(n)).map(async (name) => {
      const def = brokerDef(name);
      return (await runtimeOf(def, options)).status(def, env);
    }),
  );
}

/**
 * For fault injection: the process group of a broker this home runs natively, or undefined.
 * `process.kill(-pgid, 'SIGKILL')` crashes the whole broker (for RabbitMQ `pid` is the
 * rabbitmq-server shell script, the Erlang VM is its child in the same group); `up` then
 * restarts it, clearing the stale state.
 */
export function nativeProcess(name: BrokerName, env: NodeJS.ProcessEnv = process.env): { pid: number; pgid: number } | undefined {
  const state = readState(nativeDirs(name, env));
  return isOurs(state) ? { pid: state.pid, pgid: state.pgid } : undefined;
}

/**
 * Every process group of a broker this home runs natively: one, or one per running node of a
 * broker of several (the Kafka cluster). For measuring (the bench's footprint).
 */
export function nativeProcessGroups(name: BrokerName, env: NodeJS.ProcessEnv = process.env): Array<{ pid: number; pgid: number }> {
  return membersOf(brokerDef(name), env).flatMap((member) => {
    const state = readState(member.dirs);
    return isOurs(state) ? [{ pid: state.pid, pgid: state.pgid }] : [];
  });
}

/** The endpoint a broker would be used at: its BROKERLAB_* URL, else the default local one. */
export function endpointOf<N extends BrokerName>(name: N, env: NodeJS.ProcessEnv = process.env): Endpoints[N] {
  const def = brokerDef(name);
  return (def.fromEnv(env) ?? def.defaultEndpoint) as Endpoints[N];
}

/** A broker that did not answer ensureReachable's probe. */
export interface Failure {
  name: BrokerName;
  def: BrokerDefinition;
  endpoint: Endpoints[BrokerName];
  /** Set by a BROKERLAB_* variable (so the advice is "check that URL", not "brokerlab up"). */
  external: boolean;
  /** "Redis: connect ECONNREFUSED 127.0.0.1:6379", for the hint line. */
  error: string;
}

/**
 * One line for all brokers that did not answer; local ones are grouped into one `brokerlab up`:
 *   Redis is not reachable at redis://127.0.0.1:6379. Start it with: brokerlab up redis
 *   Kafka is not reachable at h:9092 (BROKERLAB_KAFKA_BROKERS). Check that URL.
 */
export function unreachableError(failures: readonly Failure[]): EnvironmentError {
  const sentences: string[] = [];
  const local = failures.filter((failure) => !failure.external);
  const [first] = local;
  if (local.length === 1 && first) {
    sentences.push(`${first.def.label} is not reachable at ${first.def.url(first.endpoint)}. Start it with: brokerlab up ${first.name}`);
  } else if (local.length > 1) {
    const which = local.map((failure) => `${failure.def.label} (${failure.def.url(failure.endpoint)})`).join(', ');
    sentences.push(`${which} are not reachable. Start them with: brokerlab up ${local.map((failure) => failure.name).join(' ')}`);
  }
  for (const failure of failures.filter((f) => f.external)) sentences.push(externalUnreachable(failure.def, failure.endpoint));
  return new EnvironmentError(sentences.join(' '), failures.map((failure) => failure.error).join('; '));
}

/**
 * For the runner: probes each broker once (in parallel, `timeoutMs` each, default 5s) and
 * returns their endpoints. Native and compose brokers answer at the same local endpoints, so
 * no Docker detection is needed here; a BROKERLAB_* URL makes a broker external. If any does
 * not answer, throws one EnvironmentError line, e.g.
 *   Redis is not reachable at redis://127.0.0.1:6379. Start it with: brokerlab up redis
 */
export async function ensureReachable<N extends BrokerName>(
  names: readonly N[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Pick<Endpoints, N>> {
  const env = opts.env ?? process.env;
  const timeoutMs = opts.timeoutMs ?? REACHABLE_TIMEOUT_MS;
  const unique = [...new Set(names)];
  const checks = await Promise.all(
    unique.map(async (name) => {
      const def = brokerDef(name);
      const external = def.fromEnv(env) !== undefined;
      const endpoint = endpointOf(name, env);
      try {
        // The outer timeout guards against a client library that ignores its own.
        await withTimeout(def.probe(endpoint, timeoutMs), timeoutMs + 1_000, `${def.label} probe`);
        return { name, def, endpoint, external };
      } catch (error) {
        return { name, def, endpoint, external, error: `${def.label}: ${reason(error)}` };
      }
    }),
  );

  const failures: Failure[] = [];
  for (const check of checks) if (check.error !== undefined) failures.push({ ...check, error: check.error });
  if (failures.length > 0) throw unreachableError(failures);
  return Object.fromEntries(checks.map((check) => [check.name, check.endpoint])) as unknown as Pick<Endpoints, N>;
}

/**
 * For the restart-broker fault: stops a broker brokerlab runs itself and starts it again
 * (native: its process, with its data directory kept; compose: its container). An external
 * broker is somebody else's and is refused with a clear line.
 */
/** How a broker is run here (native, compose or external), as `up` would choose. */
export async function runtimeKindOf(name: BrokerName, env: NodeJS.ProcessEnv = process.env): Promise<RuntimeKind> {
  return (await runtimeOf(brokerDef(name), { env })).kind;
}

/** The line that refuses to restart an external broker. */
export function externalRestartRefusal(name: BrokerName): string {
  const def = brokerDef(name);
  return `this exercise restarts ${def.label}, which brokerlab can only do to a broker it runs itself; ${def.label} is external here (${def.externalEnv}). Grade it against \`brokerlab up ${name}\` instead.`;
}

export async function restartBroker(name: BrokerName, options: { downMs?: number; env?: NodeJS.ProcessEnv; beforeStop?: () => Promise<void>; afterStart?: () => Promise<void> } = {}): Promise<{ runtime: RuntimeKind; stoppedMs: number; startedMs: number }> {
  const env = options.env ?? process.env;
  const def = brokerDef(name);
  const runtime = await runtimeOf(def, { env });
  if (runtime.kind === 'external') {
    throw new UsageError(externalRestartRefusal(name));
  }
  await options.beforeStop?.();
  const stopped = Date.now();
  await runtime.down(def, { env });
  const stoppedMs = Date.now() - stopped;
  if (options.downMs) await new Promise((resolve) => setTimeout(resolve, options.downMs));
  const started = Date.now();
  await runtime.up(def, { env });
  await options.afterStart?.();
  return { runtime: runtime.kind, stoppedMs, startedMs: Date.now() - started };
}
