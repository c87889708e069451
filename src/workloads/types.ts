/**
 * A workload is what the lab does with the brokers during a graded run: it prepares the
 * run's namespace, tells the learner's program where things are (env), drives traffic,
 * samples broker state, and cleans up. It records everything in the history; it never
 * judges (checks do that).
 */
import { randomBytes } from 'node:crypto';
import type { Endpoints } from '../brokers/types.js';
import type { FaultOperation } from '../faults/events.js';
import type { Inlet, Probe } from '../faults/types.js';
import type { Random } from '../runner/seed.js';
import type { Downstream, DownstreamOptions } from '../runner/downstream.js';
import type { HistoryRecorder } from '../runner/history.js';
import type { LearnerGroup } from '../runner/learner.js';
import type { SharedNamespace } from '../namespaces/names.js';

export interface WorkloadContext {
  runId: string;
  /** Prefix for every name this run creates: keys, channels, topics, groups, vhosts. */
  namespace: string;
  /** Shared-cluster mode (BROKERLAB_NAMESPACE): names go inside the learner's prefix (see
   *  scopedNamespace). Undefined: the run's names are its own. */
  shared: SharedNamespace | undefined;
  endpoints: Partial<Endpoints>;
  history: HistoryRecorder;
  learners: LearnerGroup;
  /** The most copies of the learner's program that run at once (learner.instances). */
  instances: number;
  /** How many copies the run starts with (fewer than `instances` when a scale-learner fault
   *  adds the others mid-run): what awaitReady waits for. */
  startingInstances: number;
  timeouts: { readyMs: number; drainMs: number };
  /** Aborted on Ctrl-C or when the run's hard cap is reached. */
  signal: AbortSignal;
  /** A random stream drawn from the run's seed (see runner/seed.ts). */
  random(stream: string): Random;
  /** Offers evidence faults may wait for (see faults/types.ts), e.g. "committed-past". */
  registerProbe(name: string, probe: Probe): void;
  /** Offers a way into the learner's input for `duplicate` and `poison` faults (blocks/inlet.ts). */
  registerInlet(name: string, inlet: Inlet): void;
  /** True while a fault has struck and not healed (a killed program not yet restarted). */
  faultActive(): boolean;
  /** Calls `listener` with every fault event of the run (those already recorded first, then
   *  each as it is recorded), until cleanup: for a workload's own index of what faults did,
   *  instead of scanning the history on every tick (faults/events.ts). */
  onFault(listener: (op: FaultOperation) => void): void;
  /** Starts a downstream service with the scenario's faults armed on it; stopped at cleanup. */
  downstream(options: DownstreamOptions): Promise<{ service: Downstream; url: string }>;
  /** Registers cleanup work; run in reverse order, always, even after errors. */
  defer(cleanup: () => Promise<unknown> | unknown): void;
  /** Waits for faults' pending work (a restart) to finish. */
  faultsSettled(): Promise<void>;
  /** A progress line for the console (suppressed by --quiet/--json). */
  progress(message: string): void;
  /** Marks that the workload enters a phase ("phase-2"): faults can be timed on it. Resolves
   *  once the faults it triggers have struck, so `faultsSettled()` right after waits for them. */
  phase(name: string): Promise<void>;
}

/** Thrown by `awaitReady` when the learner's program never became ready: the run stops
 *  and the learner sees this message as the failing "ready" check. */
export class LearnerNotReadyError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export interface Workload<O> {
  name: string;
  parseOptions(raw: Record<string, unknown>): O;
  /** Creates the run's broker objects; the session holds the run's clients. */
  prepare(ctx: WorkloadContext, options: O): Promise<WorkloadSession>;
}

export interface WorkloadSession {
  /** Environment for the learner's program: where the brokers are, this run's names. */
  env: Record<string, string>;
  /** Waits until the learner's program is ready (subscribed, consuming, in its group). */
  awaitReady(): Promise<void>;
  /** Waits until copy `instance`, started mid-run by a scale-learner fault, is ready (e.g. the
   *  group has as many members as copies run), bounded by timeouts.readyMs; throws
   *  LearnerNotReadyError when it is not. Without it, a copy started mid-run counts as ready
   *  at once. */
  awaitCopyReady?(instance: number): Promise<void>;
  /** Drives traffic (faults strike meanwhile) and waits, bounded, for outputs to settle. */
  run(): Promise<void>;
  /** Final observations after the learner's program was stopped (DLQ contents, offsets). */
  collect(): Promise<void>;
}

/** Resolves after `ms`, or at once when the run is aborted. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export { sleep };

/**
 * How long the run's progress has stood still. A drain can end once nothing has happened for
 * a while: lost messages never will arrive, and a wrong solution then gets its verdict in
 * seconds instead of at the drain's bound.
 */
export class QuietClock {
  private last: string | undefined;
  private since = Date.now();

  /** Records the progress now ("42 done"); while `counting` is false the clock stays at 0. */
  quietFor(progress: string, counting = true): number {
    if (progress !== this.last || !counting) {
      this.last = progress;
      this.since = Date.now();
    }
    return Date.now() - this.since;
  }

  /** Starts over, e.g. when a new phase sends new messages. */
  reset(): void {
    this.last = undefined;
    this.since = Date.now();
  }
}

/**
 * The id of the n-th message a workload sends: "task-0031-9f2c1a". The number keeps ids
 * readable and sortable in reports; the random part, different for every message, means a
 * program can only report work on messages it really received: it cannot make up the id
 * of one it lost (task-0031) and call the lab's downstream API for it.
 */
export function messageId(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(4, '0')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Runs `request` with a signal that aborts when the run does or after `timeoutMs` (a
 * TimeoutError), and lets go of the run's signal afterwards. AbortSignal.any() would do the
 * same in one line, but on Node 20 every call leaves a listener on the run's signal until it
 * is collected: a workload that sends a few hundred requests trips Node's leak warning.
 */
export async function withDeadline<T>(signal: AbortSignal, timeoutMs: number, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await request(controller.signal);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Polls `condition` every `intervalMs` until it is true (returns true) or `timeoutMs`
 *  passes or the run is aborted (returns false). */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  signal: AbortSignal,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs, signal);
  }
  return false;
}

/** The JSON object `text` holds, or undefined when it is not JSON or not an object (an array, a
 *  string, null): how the lab reads a learner's message before it trusts any field of it. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Repeats `sample` every `intervalMs` in the background until stopped. */
export function every(intervalMs: number, signal: AbortSignal, sample: () => Promise<void>): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped && !signal.aborted) {
      try {
        await sample();
      } catch {
        // A failed sample is just a missing observation; checks treat missing as unknown.
      }
      await sleep(intervalMs, signal);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

// --- option parsing (shared by workloads) -------------------------------------------------

export function intOption(raw: Record<string, unknown>, field: string, fallback: number): number {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`"${field}" must be a whole number >= 0`);
  return v;
}

/** The whole-number options named by a workload's defaults (options/<workload>.ts): each
 *  number there is read with intOption, from the scenario or else that default. Options of
 *  other shapes (a schedule, a list) are parsed beside it. */
export function intOptions<D extends Readonly<Record<string, unknown>>>(raw: Record<string, unknown>, defaults: D): NumberOptions<D> {
  const parsed: Record<string, number> = {};
  for (const [field, fallback] of Object.entries(defaults)) if (typeof fallback === 'number') parsed[field] = intOption(raw, field, fallback);
  return parsed as NumberOptions<D>;
}

/** The options of `D` whose defaults are numbers, each a number. */
export type NumberOptions<D> = { [K in keyof D as D[K] extends number ? K : never]: number };
