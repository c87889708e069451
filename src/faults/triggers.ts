/**
 * When a fault strikes, independent of the workload: a fault names a trigger in scenario.json
 * ("at"), and waits for it over the run's history.
 *
 * Definitions:
 * - { "call": N }: at the N-th downstream call of the run (1-based), the call in flight (a
 *   fault that acts on a call, like kill-learner, also takes "tag", "attempt", "victimIf").
 * - { "produced": N, "stream"?: s }: once the lab has produced N messages (of that stream;
 *   the copies and poison messages faults send do not count).
 * - { "afterMs": N }: N ms after the workload started sending (its "workload" phase).
 * - { "phase": "name" }: when the workload enters that phase (ctx.phase("phase-2")).
 */
import { num, optionalStr, str } from '../checks/types.js';
import type { History, HistoryRecorder, Operation } from '../runner/history.js';

export type Trigger =
  | { call: number; tag?: string; attempt?: number; victimIf?: string }
  | { produced: number; stream?: string }
  | { afterMs: number }
  | { phase: string };

export function parseTrigger(raw: unknown, field = 'at'): Trigger {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`"${field}" must be a trigger: {"call": N}, {"produced": N}, {"afterMs": N} or {"phase": "name"}`);
  }
  const r = raw as Record<string, unknown>;
  if (r.call !== undefined) {
    return {
      call: num(r, 'call'),
      ...(r.tag === undefined ? {} : { tag: str(r, 'tag') }),
      ...(r.attempt === undefined ? {} : { attempt: num(r, 'attempt') }),
      ...(r.victimIf === undefined ? {} : { victimIf: str(r, 'victimIf') }),
    };
  }
  if (r.produced !== undefined) {
    const stream = optionalStr(r, 'stream');
    return { produced: num(r, 'produced'), ...(stream === undefined ? {} : { stream }) };
  }
  if (r.afterMs !== undefined) return { afterMs: num(r, 'afterMs') };
  if (r.phase !== undefined) return { phase: str(r, 'phase') };
  throw new Error(`"${field}" must be a trigger: {"call": N}, {"produced": N}, {"afterMs": N} or {"phase": "name"}`);
}

/** The time (ms since the run started) at which a non-call trigger fired in this history, or
 *  undefined if it has not (pure). `now` is the current run time, for afterMs. */
export function firedAt(trigger: Exclude<Trigger, { call: number }>, history: History, now: number): number | undefined {
  if ('produced' in trigger) {
    let n = 0;
    for (const op of history) {
      if (op.kind === 'produce' && op.process === 'lab' && op.outcome === 'ok' && (trigger.stream === undefined || op.stream === trigger.stream) && ++n >= trigger.produced) return op.t;
    }
    return undefined;
  }
  if ('phase' in trigger) return history.find((op) => op.kind === 'phase' && op.key === trigger.phase)?.t;
  const started = history.find((op) => op.kind === 'phase' && op.key === 'workload')?.t;
  if (started === undefined) return undefined;
  return now >= started + trigger.afterMs ? started + trigger.afterMs : undefined;
}

/** Resolves when the trigger fires (or never, if the run ends first: `signal` aborts). */
export function whenTriggered(trigger: Exclude<Trigger, { call: number }>, history: HistoryRecorder, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (fired: boolean) => {
      unsubscribe();
      if (timer) clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(fired);
    };
    const check = () => {
      if (firedAt(trigger, history.history, history.now()) !== undefined) done(true);
    };
    const onAbort = () => done(false);
    const unsubscribe = history.subscribe((op: Operation) => {
      if (op.kind === 'produce' || op.kind === 'phase') check();
    });
    signal.addEventListener('abort', onAbort, { once: true });
    // afterMs fires on the clock, not on an operation.
    if ('afterMs' in trigger) timer = setInterval(check, 20);
    check();
  });
}
