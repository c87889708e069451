/**
 * What a check is and what it returns. A check is a pure function over a run's history:
 * same history, same result, no I/O. Each check module starts with the definitions it uses.
 */
import type { History, Operation, OperationKind } from '../runner/history.js';

export type CheckStatus = 'pass' | 'fail' | 'unknown';

export interface CheckResult {
  /** Stable id of the check as named in the scenario, e.g. "no-lost-messages". */
  name: string;
  /** What it means to a learner, e.g. "Every notification arrives". */
  title: string;
  status: CheckStatus;
  /** What a correct solution shows, in one sentence. */
  expected: string;
  /** What this run showed, in one sentence. */
  observed: string;
  /** The first few concrete cases (lost ids, the first reordered pair). */
  examples: string[];
  /** Where to look and what to try next (only on fail/unknown). */
  hint?: string;
  /** On fail: which of the check's known causes the evidence points to (see
   *  CheckDefinition.causes). The hint is the one for this cause. */
  cause?: string;
  /** Relative weight for partial credit (default 1). */
  weight: number;
}

/** Picks operations out of a history. Streams are logical names ("tasks"), never the
 *  run's physical names, so scenarios stay valid across runs. */
export interface Selector {
  kind: OperationKind;
  /** Exact process name, or a prefix ending in "*" ("learner-*"). */
  process?: string;
  stream?: string;
}

export interface CheckDefinition<P> {
  name: string;
  /**
   * The mistakes the evidence of this check can tell apart, each with a hint that holds for
   * any exercise ("commit offset + 1"). A failing result names one in `cause`; a scenario may
   * give an exercise-specific hint per cause (`hints` in scenario.json), and its `hint` is
   * used for a failure without a cause.
   */
  causes?: Readonly<Record<string, string>>;
  /** Parses and validates the scenario's params for this check; throws Error with a clear
   *  message naming the missing or wrong field. */
  parseParams(raw: Record<string, unknown>): P;
  run(history: History, params: P): Omit<CheckResult, 'name' | 'weight'>;
}

export function matches(op: Operation, selector: Selector): boolean {
  if (op.kind !== selector.kind) return false;
  if (selector.stream !== undefined && op.stream !== selector.stream) return false;
  if (selector.process !== undefined) {
    const p = selector.process;
    if (p.endsWith('*') ? !op.process.startsWith(p.slice(0, -1)) : op.process !== p) return false;
  }
  return true;
}

export function select(history: History, selector: Selector, outcome?: Operation['outcome']): Operation[] {
  return history.filter((op) => matches(op, selector) && (outcome === undefined || op.outcome === outcome));
}

/** Tags the lab put on a produced message ("poison", "transient", "vip"): runner/messages.ts. */
export { tagsOf } from '../runner/messages.js';

/** "12 of 200", "1 of 1": counts read better than percentages for small runs. */
export function countOf(n: number, total: number, noun: string): string {
  return `${n} of ${total} ${noun}${total === 1 ? '' : 's'}`;
}

export function firstFew<T>(items: readonly T[], n = 5): T[] {
  return items.slice(0, n);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

// --- param parsing helpers: one line per field, errors name the field -------------------

export function str(raw: Record<string, unknown>, field: string, fallback?: string): string {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'string') throw new Error(`"${field}" must be a string`);
  return v;
}

export function num(raw: Record<string, unknown>, field: string, fallback?: number): number {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`"${field}" must be a number`);
  return v;
}

export function selector(raw: Record<string, unknown>, field: string): Selector {
  const v = raw[field];
  if (typeof v !== 'object' || v === null || typeof (v as Selector).kind !== 'string') {
    throw new Error(`"${field}" must be a selector like {"kind": "consume", "stream": "notifications"}`);
  }
  return v as Selector;
}

export function optionalStr(raw: Record<string, unknown>, field: string): string | undefined {
  const v = raw[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Error(`"${field}" must be a string`);
  return v;
}
