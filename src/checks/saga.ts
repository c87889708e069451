/**
 * saga-compensated
 *
 * An order goes through steps in a fixed order (reserve stock, charge payment, book
 * shipment), each a call to a lab service. When a step fails for good (a business refusal:
 * card declined, address not deliverable), every earlier step that took effect must be undone
 * by its compensation (refund payment, release stock) exactly once, in reverse order, and the
 * order ends "cancelled"; otherwise it ends "completed" with nothing undone. Never half-done.
 *
 * Definitions:
 * - order: an operation matching `sent` with outcome "ok". Its tags say how it must end: a
 *   tag of `failsAt` names the step that refuses it every time (the order must be cancelled);
 *   `transientTag` marks an order one of whose steps answers 503 once (busy: retried, it goes
 *   through, so the order must complete).
 * - effect: a call to a step's or compensation's service (`stream`) about the order, answered
 *   OK, that the service performed: one without `keyField` (an idempotency key), or the first
 *   OK call with its key for this order. A later OK call with a key already performed is a
 *   replay: the service answers it again and does nothing. A call cut short by a kill ("info")
 *   or answered with an error is no effect.
 * - status: the order's terminal state, an operation matching `status` with outcome "ok" and
 *   the order's key, read from its `statusField` ("completed" or "cancelled").
 * - valid trace: an order that must complete has each step's effect once, no compensation,
 *   and status "completed"; an order whose step F fails for good has each step before F once,
 *   F and the steps after it never called, the compensation of each step before F once (the
 *   failed step itself has nothing to undo), the compensations in reverse order of their
 *   steps, and status "cancelled".
 *
 * Causes, most serious first (each order is counted under its most serious one; the failure
 * names the most serious any order shows):
 * - compensated-twice: a compensation took effect twice (a refund paid out twice): it was
 *   made again after a redelivery without the same idempotency key (none, a new one per
 *   attempt, or a "done" set kept in memory that the restart emptied).
 * - step-repeated: a step took effect twice (a second reservation or charge) after a
 *   redelivery, for the same reason.
 * - went-on-after-failure: a step after the one that failed for good was called anyway (its
 *   refusal was not looked at), which usually leaves the earlier steps not undone as well.
 * - steps-out-of-order: a step was called before the step ahead of it had gone through (the
 *   charge before the stock was reserved, or both at once): what a refusal leaves to undo then
 *   depends on timing.
 * - not-compensated: a step failed for good, and an earlier step that took effect was never
 *   undone: the order is left half-done.
 * - abandoned: an order with no status whose work was not finished (a step it must still
 *   call, or a compensation it still owes, never made) although it was worked on: a
 *   transient failure or a crash ended it half-way and it never ran again (dropped with a
 *   nack without requeue, or acked before the work and lost at the kill). Counted here, not
 *   as not-compensated: nothing refused it, or its undo was cut off.
 * - compensated-failed-step: the step that failed was compensated too (a refund of a charge
 *   that never happened).
 * - compensated-on-transient: an order whose step answered 503 once (busy) was compensated:
 *   a transient failure must be retried, not treated as the end of the order.
 * - undo-not-retried: not-compensated, where the missing compensation was called and answered
 *   an error (the lab's refund answers one order's first call with 503): a compensation that
 *   failed for a moment must be retried until it is done.
 * - compensated-completed: an order that should have completed was compensated, without any
 *   failure to explain it.
 * - wrong-order: compensations not in reverse order of their steps, one after the other: the
 *   stock release called before the payment refund went through (after it, or at the same
 *   time).
 * - reported-early: the order's first status arrived before its work was done: "cancelled"
 *   before the first effective (non-replay) OK call of one of its required compensations, or
 *   "completed" before the shipment's. Only first effects count: a correct program killed
 *   after publishing and before acking runs the order again, and its replays come after its
 *   first status.
 * - status-unreadable: the order's calls are all there and no status the lab could read, while
 *   status messages arrived that were not JSON objects with a string "orderId" (a misspelt
 *   field, a string instead of an object).
 * - status-missing: the order's calls are all there but no status was published.
 * - wrong-status: a status other than the one its trace calls for (or two different ones), or
 *   "completed" for an order whose steps did not all go through.
 */
import type { History, Operation } from '../runner/history.js';
import { callValue } from '../runner/calls.js';
import { consumeValue } from '../runner/messages.js';
import { type CheckDefinition, type Selector, countOf, firstFew, select, selector, str, tagsOf } from './types.js';

export interface SagaStep {
  /** What a learner calls the step: "reserve stock". */
  name: string;
  /** The history stream of its service's calls. */
  stream: string;
  /** What undoes it, if anything does. */
  compensation?: { name: string; stream: string };
}

export interface SagaParams {
  subject: string;
  sent: Selector;
  steps: SagaStep[];
  /** Tag -> the name of the step that refuses orders carrying it, every time. */
  failsAt: Record<string, string>;
  /** Orders a step refuses once with a 503 (must still complete). */
  transientTag: string;
  /** The idempotency key's field in a call's body (recorded with the call). */
  keyField: string;
  status: Selector;
  statusField: string;
  completed: string;
  cancelled: string;
}

export type SagaCause =
  | 'compensated-twice'
  | 'step-repeated'
  | 'not-compensated'
  | 'compensated-failed-step'
  | 'compensated-on-transient'
  | 'compensated-completed'
  | 'wrong-order'
  | 'went-on-after-failure'
  | 'steps-out-of-order'
  | 'status-missing'
  | 'abandoned'
  | 'undo-not-retried'
  | 'reported-early'
  | 'status-unreadable'
  | 'wrong-status';

const ORDER: readonly SagaCause[] = [
  'compensated-twice',
  'step-repeated',
  'went-on-after-failure',
  'steps-out-of-order',
  'not-compensated',
  'abandoned',
  'compensated-failed-step',
  'compensated-on-transient',
  'undo-not-retried',
  'compensated-completed',
  'wrong-order',
  'reported-early',
  'status-unreadable',
  'status-missing',
  'wrong-status',
];

export const SAGA_CAUSES: Record<SagaCause, string> = {
  'compensated-twice':
    'A compensation was made twice: after the kill the order came back and your program undid a step it had already undone, without the same idempotency key (none, a new one per attempt, or a "done" flag kept in memory, gone after the restart). Send every compensation with a key derived from the order and the action (orderId + ":refund"): a repeat is then a replay.',
  'step-repeated':
    'A step took effect twice after the order came back: send every step with an idempotency key derived from the order and the step (orderId + ":charge"), so the service takes a repeat for a replay.',
  'not-compensated':
    'An order whose step failed for good was left half-done: an earlier step that went through was never undone. On a final refusal, compensate every step that went through before it, last one first, then publish the order as cancelled.',
  'compensated-failed-step':
    'The step that failed was compensated too: a refund for a charge that was declined gives money that was never taken. Compensate only the steps that went through before the failure.',
  'compensated-on-transient':
    'An order whose step answered 503 (busy, try again) was compensated and cancelled: a 503 is transient. Retry the same call (the same idempotency key) after a short pause; only a final refusal (402, 422) cancels the order.',
  'compensated-completed': 'An order that should have completed was compensated, with no failure to explain it: compensate only after a step failed for good.',
  'wrong-order':
    'Compensations ran in the wrong order: undo the steps in reverse, one after the other, the last one that went through first (refund the payment, then once it went through release the stock; not both at once), so the order never looks paid without stock.',
  'steps-out-of-order':
    'A step was called before the one ahead of it had gone through (the charge before the stock was reserved, or both at once). Run the steps one after the other, each only once the previous one answered OK.',
  'went-on-after-failure': 'A step was called after an earlier one had failed for good: stop at the first final refusal and compensate.',
  abandoned:
    'An order was left half-way: some of its work took effect, then it was never finished (no status, a step or a compensation never made). A transient failure or a crash ended it: retry the call, or requeue the order (nack with requeue), never drop it (a nack without requeue, an ack before the work is done).',
  'undo-not-retried':
    'A compensation answered an error (503, busy) and was never made again: the order was left half-done. Retry a compensation that failed for a moment (the same key, after a short pause, or requeue the order): it must eventually be done.',
  'reported-early':
    'An order was reported before its work was done: its status arrived before a compensation (or the shipment) it announces went through. Publish "cancelled" only after every compensation answered OK, "completed" only after the shipment did.',
  'status-unreadable':
    'Status messages arrived that the lab could not read, so these orders have no status: publish a JSON object {"orderId": "...", "status": "completed" | "cancelled"}, with exactly those field names.',
  'status-missing': 'An order ended with no status: publish {"orderId", "status"} to the status queue once its last step or compensation is done, then ack the order.',
  'wrong-status': 'An order ended with the wrong status: "completed" once every step went through (and only then), "cancelled" when a step failed for good and the earlier ones were undone.',
};

interface Trace {
  /** OK calls the service performed, per stream, with when they ended. */
  effects: Map<string, number[]>;
  /** Every call about the order, in time order. */
  calls: Operation[];
  /** The calls among them the service performed (not replays). */
  performed: Set<Operation>;
  statuses: string[];
  /** When the first status arrived. */
  statusAt?: number;
}

function isStringRecord(raw: unknown): raw is Record<string, string> {
  return typeof raw === 'object' && raw !== null && Object.values(raw).every((v) => typeof v === 'string');
}

function parseSteps(raw: unknown): SagaStep[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new Error('"steps" must be a list of {name, stream, compensation?: {name, stream}}');
  return raw.map((s: unknown, i) => {
    const step = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
    const comp = step.compensation as Record<string, unknown> | undefined;
    if (typeof step.name !== 'string' || typeof step.stream !== 'string') throw new Error(`"steps[${i}]" needs a "name" and a "stream"`);
    if (comp !== undefined && (typeof comp.name !== 'string' || typeof comp.stream !== 'string')) throw new Error(`"steps[${i}].compensation" needs a "name" and a "stream"`);
    return { name: step.name, stream: step.stream, ...(comp ? { compensation: { name: String(comp.name), stream: String(comp.stream) } } : {}) };
  });
}

export const sagaCompensated: CheckDefinition<SagaParams> = {
  name: 'saga-compensated',
  causes: SAGA_CAUSES,
  parseParams: (raw) => {
    const steps = parseSteps(raw.steps);
    if (!isStringRecord(raw.failsAt)) throw new Error('"failsAt" must map tags to step names');
    for (const name of Object.values(raw.failsAt)) if (!steps.some((s) => s.name === name)) throw new Error(`"failsAt" names no step "${name}"`);
    return {
      subject: str(raw, 'subject'),
      sent: selector(raw, 'sent'),
      steps,
      failsAt: raw.failsAt,
      transientTag: str(raw, 'transientTag'),
      keyField: str(raw, 'keyField'),
      status: selector(raw, 'status'),
      statusField: str(raw, 'statusField', 'status'),
      completed: str(raw, 'completed', 'completed'),
      cancelled: str(raw, 'cancelled', 'cancelled'),
    };
  },
  run(history: History, p) {
    const title = `Each ${p.subject} completes, or is fully compensated once (never half-done)`;
    const expected = `every ${p.subject} ends "${p.completed}" (${p.steps.map((s) => s.name).join(', ')}, each once, nothing undone) or, when a step fails for good, "${p.cancelled}" with each earlier step undone exactly once, last one first, and nothing after the failure called`;
    const orders = select(history, p.sent, 'ok').filter((op) => op.key !== undefined);
    const tagsByOrder = new Map(orders.map((op) => [op.key as string, tagsOf(op)]));
    const streams = new Set(p.steps.flatMap((s) => [s.stream, ...(s.compensation ? [s.compensation.stream] : [])]));

    const traces = new Map<string, Trace>();
    const traceOf = (key: string): Trace => {
      let trace = traces.get(key);
      if (!trace) traces.set(key, (trace = { effects: new Map(), calls: [], performed: new Set(), statuses: [] }));
      return trace;
    };
    /** Idempotency keys each service performed, per order: a repeat is a replay. */
    const performed = new Set<string>();
    for (const op of history) {
      if (op.key === undefined || !tagsByOrder.has(op.key)) continue;
      if (op.kind === 'call' && op.stream !== undefined && streams.has(op.stream)) {
        const trace = traceOf(op.key);
        trace.calls.push(op);
        if (op.outcome !== 'ok') continue;
        const idem = callValue(op).fields?.[p.keyField];
        const id = typeof idem === 'string' && idem !== '' ? `${op.stream}|${op.key}|${idem}` : undefined;
        if (id !== undefined && performed.has(id)) continue;
        if (id !== undefined) performed.add(id);
        trace.performed.add(op);
        trace.effects.set(op.stream, [...(trace.effects.get(op.stream) ?? []), op.t]);
      } else if (op.kind === p.status.kind && op.stream === p.status.stream && op.outcome === 'ok') {
        const status = (consumeValue(op).fields ?? {})[p.statusField];
        const trace = traceOf(op.key);
        trace.statuses.push(typeof status === 'string' ? status : JSON.stringify(status ?? null));
        trace.statusAt ??= op.t;
      }
    }
    const unreadable = history.filter((op) => op.kind === p.status.kind && op.stream === p.status.stream && op.outcome === 'fail');
    if (traces.size === 0) return { title, status: 'unknown', expected, observed: `no ${p.subject} was worked on, so there was nothing to check`, examples: [] };

    const found = new Map<SagaCause, string[]>();
    let completed = 0;
    let cancelled = 0;
    let replays = 0;
    for (const [key, trace] of traces) {
      const tags = tagsByOrder.get(key) ?? [];
      const failing = Object.entries(p.failsAt).find(([tag]) => tags.includes(tag))?.[1];
      const failAt = failing === undefined ? p.steps.length : p.steps.findIndex((s) => s.name === failing);
      const count = (stream: string) => trace.effects.get(stream)?.length ?? 0;
      const first = (stream: string) => trace.effects.get(stream)?.[0] ?? Number.POSITIVE_INFINITY;
      const okCalls = trace.calls.filter((c) => c.outcome === 'ok').length;
      replays += okCalls - [...trace.effects.values()].reduce((n, e) => n + e.length, 0);
      const why = failing === undefined ? (tags.includes(p.transientTag) ? 'must complete after a 503' : 'must complete') : `${failing} refuses it`;
      const story = describe(trace, p);
      const causes: SagaCause[] = [];
      const note = (cause: SagaCause) => causes.includes(cause) || causes.push(cause);

      for (const step of p.steps) {
        if (count(step.stream) > 1) note('step-repeated');
        if (step.compensation && count(step.compensation.stream) > 1) note('compensated-twice');
      }
      const compensations = p.steps.filter((s) => s.compensation && count(s.compensation.stream) > 0).length;
      if (failing === undefined) {
        if (compensations > 0) {
          const had503 = trace.calls.some((c) => callValue(c).status === 503);
          note(had503 ? 'compensated-on-transient' : 'compensated-completed');
        }
      } else {
        const failed = p.steps[failAt];
        if (failed?.compensation && count(failed.compensation.stream) > 0) note('compensated-failed-step');
        for (const step of p.steps.slice(0, failAt)) {
          if (!step.compensation || count(step.stream) === 0 || count(step.compensation.stream) > 0) continue;
          // Called and answered an error, never made again: the compensation was not retried.
          const stream = step.compensation.stream;
          note(trace.calls.some((c) => c.stream === stream && c.outcome === 'fail') ? 'undo-not-retried' : 'not-compensated');
        }
        if (p.steps.slice(failAt + 1).some((s) => trace.calls.some((c) => c.stream === s.stream))) note('went-on-after-failure');
      }
      // Each step called only once the one ahead of it went through.
      for (let i = 1; i < p.steps.length; i++) {
        const step = p.steps[i];
        const ahead = p.steps[i - 1];
        const called = trace.calls.find((c) => c.stream === step?.stream);
        if (step && ahead && called && (callValue(called).arrivedAt ?? called.t) < first(ahead.stream)) note('steps-out-of-order');
      }
      // Reverse order, one after the other: for two undone steps, the earlier step's compensation
      // is first called only once the later step's went through (both at once is out of order too).
      const undone = p.steps.filter((s) => s.compensation && count(s.compensation.stream) > 0);
      const firstCalled = (stream: string) => Math.min(...trace.calls.filter((c) => c.stream === stream).map((c) => callValue(c).arrivedAt ?? c.t));
      for (let i = 0; i + 1 < undone.length; i++) {
        const earlier = undone[i]?.compensation;
        const later = undone[i + 1]?.compensation;
        if (earlier && later && firstCalled(earlier.stream) < first(later.stream)) note('wrong-order');
      }
      const want = failing === undefined ? p.completed : p.cancelled;
      const distinct = [...new Set(trace.statuses)];
      // The calls its end needs: every step, or the refusal and the compensation of each step that went through before it.
      const owed = failing === undefined ? [] : p.steps.slice(0, failAt).flatMap((s) => (s.compensation && count(s.stream) > 0 ? [s.compensation.stream] : []));
      const finished =
        failing === undefined
          ? p.steps.every((s) => count(s.stream) > 0)
          : trace.calls.some((c) => c.stream === p.steps[failAt]?.stream && c.outcome === 'fail') && owed.every((stream) => count(stream) > 0);
      if (distinct.length === 0) {
        if (!finished) {
          // Left half-way with no status: a crash or a dropped retry, counted as that alone.
          const at = causes.indexOf('not-compensated');
          if (at >= 0) causes.splice(at, 1);
          note('abandoned');
        } else if (causes.length === 0) note(unreadable.length > 0 ? 'status-unreadable' : 'status-missing');
      } else if (distinct.length > 1 || distinct[0] !== want) note('wrong-status');
      // "completed" for an order whose steps did not all go through says more than happened.
      else if (want === p.completed && !p.steps.every((s) => count(s.stream) > 0)) note('wrong-status');
      // Its first status before the first effect of what it announces (replays after it are a redelivery's).
      else if (trace.statusAt !== undefined) {
        const announces = want === p.completed ? p.steps.slice(-1).map((s) => s.stream) : owed;
        if (announces.some((stream) => count(stream) > 0 && first(stream) > (trace.statusAt ?? 0))) note('reported-early');
      }

      if (causes.length === 0) {
        if (distinct.length > 0) (want === p.completed ? completed++ : cancelled++);
        continue;
      }
      // One cause per order, its most serious: the example shows the whole trace anyway.
      const worst = ORDER.find((c) => causes.includes(c)) ?? 'not-compensated';
      found.set(worst, [...(found.get(worst) ?? []), `${key} (${why}): ${story}`]);
    }

    if (found.size === 0) {
      const again = replays > 0 ? `; ${replays} call${replays === 1 ? ' was a replay' : 's were replays'} of one already made (same idempotency key)` : '';
      return { title, status: 'pass', expected, observed: `${completed} ${p.subject}s completed and ${cancelled} cancelled, each compensation made once, in reverse order${again}`, examples: [] };
    }
    const causes = ORDER.filter((c) => found.has(c));
    const cause = causes[0] ?? 'not-compensated';
    const bad = causes.reduce((n, c) => n + (found.get(c)?.length ?? 0), 0);
    const sample = unreadable.map((op) => op.value).find((v) => typeof v === 'string');
    const bodies = found.has('status-unreadable') && sample !== undefined ? `; ${unreadable.length} status message${unreadable.length === 1 ? ' was' : 's were'} unreadable, e.g. ${sample} (asked: {"orderId": "...", "${p.statusField}": "${p.completed}" | "${p.cancelled}"})` : '';
    const observed = `${countOf(bad, traces.size, p.subject)} did not end as ${p.subject === 'order' ? 'an order' : 'one'} should: ${causes.map((c) => `${found.get(c)?.length ?? 0} ${LABELS[c]}`).join(', ')}${bodies}`;
    return { title, status: 'fail', expected, observed, examples: firstFew(causes.flatMap((c) => firstFew(found.get(c) ?? [], 2)), 4), cause };
  },
};

const LABELS: Record<SagaCause, string> = {
  'compensated-twice': 'compensated twice',
  'step-repeated': 'with a step done twice',
  'not-compensated': 'left half-done (a step not undone)',
  'compensated-failed-step': 'with the failed step compensated',
  'compensated-on-transient': 'compensated after a 503',
  'compensated-completed': 'compensated for no reason',
  'wrong-order': 'compensated in the wrong order',
  'went-on-after-failure': 'went on after a final refusal',
  'steps-out-of-order': 'with steps out of order',
  'status-missing': 'with no status',
  abandoned: 'left half-way (no status, work not finished)',
  'undo-not-retried': 'left half-done (a compensation that failed was never retried)',
  'reported-early': 'reported before the work was done',
  'status-unreadable': 'with no readable status',
  'wrong-status': 'with the wrong status',
};

/** An order's calls and status, in order, for a learner: "reserve stock ok, charge payment 402, ...". */
function describe(trace: Trace, p: SagaParams): string {
  const names = new Map(p.steps.flatMap((s) => [[s.stream, s.name] as const, ...(s.compensation ? [[s.compensation.stream, s.compensation.name] as const] : [])]));
  const parts = trace.calls.map((c) => {
    const v = callValue(c);
    const what = c.outcome === 'info' ? 'cut short by the kill' : c.outcome !== 'ok' ? String(v.status ?? 'failed') : trace.performed.has(c) ? 'ok' : 'ok (a replay)';
    return `${names.get(c.stream ?? '') ?? c.stream} ${what}`;
  });
  // A status that came before some of the calls is shown where it arrived: that is the mistake.
  const before = trace.statusAt === undefined ? -1 : trace.calls.findIndex((c) => c.t > (trace.statusAt ?? 0));
  if (before >= 0) parts.splice(before, 0, `[status "${trace.statuses[0] ?? ''}" published here]`);
  const shown = parts.length > 9 ? [...parts.slice(0, 9), `... (${parts.length - 9} more)`] : parts;
  const status = trace.statuses.length === 0 ? 'no status' : `status ${trace.statuses.map((s) => `"${s}"`).join(', ')}`;
  return `${shown.join(', ')}; ${status}`;
}
