/**
 * Which runtime runs a broker. Per broker, first match wins:
 *
 *   1. external  if its BROKERLAB_* variable is set (BROKERLAB_REDIS_URL, ...)
 *   2. the runtime asked for with --runtime, else BROKERLAB_RUNTIME
 *   3. native    if this home already runs it natively (so `down` and `status` find what
 *                `up` started even after Docker became available)
 *   4. compose   if a Docker engine answers (`docker info`, 3s timeout, asked once per process)
 *   5. native
 */
import { UsageError } from '../errors.js';
import type { BrokerDefinition } from './definition.js';
import { run } from './process.js';
import type { RuntimeKind } from './types.js';

export const RUNTIME_KINDS = ['native', 'compose', 'external'] as const satisfies readonly RuntimeKind[];

/** How long `docker info` may take before we decide there is no engine. */
const DOCKER_INFO_TIMEOUT_MS = 3_000;

/** A runtime name from a flag or variable; `source` names it in the error ("--runtime"). */
export function parseRuntime(value: string | undefined, source: string): RuntimeKind | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const kind = value.trim().toLowerCase();
  if ((RUNTIME_KINDS as readonly string[]).includes(kind)) return kind as RuntimeKind;
  throw new UsageError(`${source} must be one of ${RUNTIME_KINDS.join(', ')}, not "${value}"`);
}

let dockerAnswer: Promise<boolean> | undefined;

/** True when a Docker engine answers (not just a docker client on PATH). Cached per process. */
export function dockerEngineAvailable(): Promise<boolean> {
  dockerAnswer ??= run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: DOCKER_INFO_TIMEOUT_MS }).then(
    (result) => result.code === 0 && result.output.trim() !== '',
  );
  return dockerAnswer;
}

export interface SelectOptions {
  env: NodeJS.ProcessEnv;
  /** --runtime, already parsed. */
  runtime?: RuntimeKind;
  /** Does this home run the broker natively right now? (injected for tests) */
  runningNatively: () => boolean;
  /** Does a Docker engine answer? (injected for tests) */
  dockerAvailable: () => Promise<boolean>;
}

export async function selectRuntime(def: BrokerDefinition, options: SelectOptions): Promise<RuntimeKind> {
  if (def.fromEnv(options.env)) return 'external';
  const requested = options.runtime ?? parseRuntime(options.env.BROKERLAB_RUNTIME, 'BROKERLAB_RUNTIME');
  if (requested === 'external') {
    throw new UsageError(`${def.label} has no external address: set ${def.externalEnv} (for example ${def.externalExample()})`);
  }
  if (requested) return requested;
  if (options.runningNatively()) return 'native';
  return (await options.dockerAvailable()) ? 'compose' : 'native';
}
