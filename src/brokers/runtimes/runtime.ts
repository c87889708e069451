/**
 * The one interface the three runtimes (native, compose, external) implement. `up` returns
 * only once the broker answers its protocol-level probe; `down` stops exactly what `up`
 * started; `status` never throws for a broker that is down.
 */
import type { BrokerDefinition } from '../definition.js';
import type { BrokerName, BrokerStatus, Endpoints, RuntimeKind } from '../types.js';

export interface UpResult {
  name: BrokerName;
  runtime: RuntimeKind;
  /** started: we started it now; already-running: left alone; external: only checked. */
  action: 'started' | 'already-running' | 'external';
  /** How long starting (or checking) took. */
  ms: number;
  url: string;
  /** "native, pid 1234", "compose, container brokerlab-redis-1", "external (BROKERLAB_REDIS_URL)". */
  detail: string;
}

export interface DownResult {
  name: BrokerName;
  runtime: RuntimeKind;
  /** stopped: we stopped it now; not-running: nothing of ours ran; external: left alone. */
  action: 'stopped' | 'not-running' | 'external';
  ms: number;
  detail: string;
}

/** Reported while `up`/`down` work, so commands can print progress as it happens. */
export type ProgressEvent =
  | { type: 'starting' | 'stopping'; name: BrokerName; label: string; runtime: RuntimeKind }
  | { type: 'up'; result: UpResult }
  | { type: 'down'; result: DownResult };

export interface RuntimeOptions {
  env: NodeJS.ProcessEnv;
  /** How long `up` waits for readiness; undefined = the broker's own default. */
  timeoutMs?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Ctrl-C / SIGTERM: `up` stops waiting, stops what it started, and throws InterruptedError. */
  signal?: AbortSignal;
  /**
   * `up` wakes a node left SIGSTOPped (a pause whose brokerlab died); false leaves paused nodes
   * as they are, for a fault that restarts one node while a run's pause holds the others.
   */
  resumePaused?: boolean;
}

export interface Runtime {
  kind: RuntimeKind;
  endpoint(def: BrokerDefinition, env: NodeJS.ProcessEnv): Endpoints[BrokerName];
  up(def: BrokerDefinition, options: RuntimeOptions): Promise<UpResult>;
  down(def: BrokerDefinition, options: RuntimeOptions): Promise<DownResult>;
  status(def: BrokerDefinition, env: NodeJS.ProcessEnv): Promise<BrokerStatus>;
}

/** How long `status` gives each probe: long enough for a loaded machine, short for a person. */
export const STATUS_PROBE_MS = 3_000;

/** Runs a probe once and says whether it passed; status and idempotent `up` use this. */
export async function answers(def: BrokerDefinition, endpoint: Endpoints[BrokerName], timeoutMs: number): Promise<boolean> {
  try {
    await def.probe(endpoint, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/** The first of `ports` something listens on, or undefined. */
export async function firstListening(ports: readonly number[], isListening: (port: number) => Promise<boolean>): Promise<number | undefined> {
  for (const port of ports) if (await isListening(port)) return port;
  return undefined;
}

/** The one-line "port taken" message shared by the native and compose runtimes. */
export function portTakenMessage(def: BrokerDefinition, port: number): string {
  return (
    `cannot start ${def.label}: port ${port} is already in use by another process (not started by brokerlab). ` +
    `Stop it, or use it as an external broker: ${def.externalExample()}`
  );
}
