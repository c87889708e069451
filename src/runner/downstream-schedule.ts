/**
 * A downstream service's bad spells: windows of time in which every call fails, is slow,
 * hangs or finds the service gone, named in a workload's options in scenario.json and given
 * to `ctx.downstream({ schedule })`. Outside every window the service answers as usual (by
 * its rules or its `reply`).
 *
 * Definitions:
 * - window: { name, mode, from, until } (and the mode's numbers). It starts once `from`
 *   fires and ends once `until` fires after that; it applies to the calls that arrive
 *   between (a call's window is decided on arrival). When two windows are open at once, the
 *   first in the list applies.
 * - from: { "afterMs": N } (N ms after the workload started sending, as for faults),
 *   { "phase": "name" } (when the workload enters that phase), { "call": N } (on arrival of
 *   this service's N-th call, which is the first the window takes), or { "afterWindow":
 *   "name" } (when that earlier window ends: two spells back to back).
 * - until: { "forMs": N } (N ms after the window started), { "afterMs": N } / { "phase":
 *   "name" } (as above), or { "calls": N } (once N calls have arrived in it: those N are its).
 * - modes: "error" (answered `status`, 500 or 503, default 503, after the usual latency);
 *   "slow" (answered as usual, `extraMs` later); "timeout" (held without an answer until
 *   the caller gives up, or `maxHoldMs` passes, then 504); "down" (the request is read, then
 *   its connection reset without an answer: the caller sees ECONNRESET, as when a service
 *   goes away; it comes back when the window ends).
 * - in the history: a window's start and end are `fault` events (fault "<service> <mode>",
 *   phases "start" and "heal", a negative id, `window` its name) that the report's timeline
 *   shows; every call that arrived in a window carries `value.window`.
 *
 * The state is kept by `Schedule`, pure but for its own fields: the service calls `tick` on
 * its clock and on every arrival, and records the transitions it returns.
 */
import { num, str } from '../checks/types.js';

export type WindowMode = 'error' | 'slow' | 'timeout' | 'down';
const MODES: readonly WindowMode[] = ['error', 'slow', 'timeout', 'down'];

export type WindowStart = { afterMs: number } | { phase: string } | { call: number } | { afterWindow: string };
export type WindowEnd = { forMs: number } | { afterMs: number } | { phase: string } | { calls: number };

export interface ScheduleWindow {
  /** Names the window in the history and in `afterWindow` ("outage"). */
  name: string;
  mode: WindowMode;
  from: WindowStart;
  until: WindowEnd;
  /** error: the status of every answer (500 or 503). */
  status: 500 | 503;
  /** slow: how much later than usual every call is answered. */
  extraMs: number;
  /** timeout: how long a call is held at most before a 504. */
  maxHoldMs: number;
}

/** What the service knows of the run when it ticks: when a workload trigger fired
 *  (`{afterMs}` or `{phase}`, as `firedAt` in faults/triggers.ts), or undefined. */
export type TriggerClock = (trigger: { afterMs: number } | { phase: string }) => number | undefined;

export interface WindowState {
  startedAt?: number;
  endedAt?: number;
  /** Calls that arrived in it. */
  calls: number;
}

export interface WindowTransition {
  window: ScheduleWindow;
  index: number;
  phase: 'start' | 'heal';
  at: number;
}

function objectOf(raw: unknown, field: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`"${field}" must be an object`);
  return raw as Record<string, unknown>;
}

function parseStart(raw: unknown, field: string): WindowStart {
  const r = objectOf(raw, field);
  if (r.afterMs !== undefined) return { afterMs: num(r, 'afterMs') };
  if (r.phase !== undefined) return { phase: str(r, 'phase') };
  if (r.call !== undefined) return { call: num(r, 'call') };
  if (r.afterWindow !== undefined) return { afterWindow: str(r, 'afterWindow') };
  throw new Error(`"${field}" must be {"afterMs": N}, {"phase": "name"}, {"call": N} or {"afterWindow": "name"}`);
}

function parseEnd(raw: unknown, field: string): WindowEnd {
  const r = objectOf(raw, field);
  if (r.forMs !== undefined) return { forMs: num(r, 'forMs') };
  if (r.afterMs !== undefined) return { afterMs: num(r, 'afterMs') };
  if (r.phase !== undefined) return { phase: str(r, 'phase') };
  if (r.calls !== undefined) return { calls: num(r, 'calls') };
  throw new Error(`"${field}" must be {"forMs": N}, {"afterMs": N}, {"phase": "name"} or {"calls": N}`);
}

/** Parses a schedule from a workload's options (an absent one is empty); throws with the
 *  field that is wrong. */
export function parseSchedule(raw: unknown, field = 'schedule'): ScheduleWindow[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new Error(`"${field}" must be a list of windows`);
  const windows = raw.map((item, i): ScheduleWindow => {
    const at = `${field}[${i}]`;
    const r = objectOf(item, at);
    const mode = r.mode;
    if (typeof mode !== 'string' || !MODES.includes(mode as WindowMode)) throw new Error(`"${at}.mode" must be one of ${MODES.join(', ')}`);
    const status = r.status ?? 503;
    if (status !== 500 && status !== 503) throw new Error(`"${at}.status" must be 500 or 503`);
    return {
      name: r.name === undefined ? `${mode}-${i + 1}` : str(r, 'name'),
      mode: mode as WindowMode,
      from: parseStart(r.from, `${at}.from`),
      until: parseEnd(r.until, `${at}.until`),
      status,
      extraMs: r.extraMs === undefined ? 0 : num(r, 'extraMs'),
      maxHoldMs: r.maxHoldMs === undefined ? 10_000 : num(r, 'maxHoldMs'),
    };
  });
  windows.forEach((w, i) => {
    if ('afterWindow' in w.from) {
      const name = w.from.afterWindow;
      if (!windows.slice(0, i).some((earlier) => earlier.name === name)) throw new Error(`"${field}[${i}].from.afterWindow" must name an earlier window ("${name}" is not one)`);
    }
  });
  return windows;
}

/** The window that applies at time `t` (the first open one), or undefined (pure). */
export function windowAt(windows: readonly ScheduleWindow[], states: readonly WindowState[], t: number): number | undefined {
  const index = states.findIndex((s) => s.startedAt !== undefined && s.startedAt <= t && (s.endedAt === undefined || t < s.endedAt));
  return index < 0 || windows[index] === undefined ? undefined : index;
}

/** The schedule's state over one run. */
export class Schedule {
  readonly states: WindowState[];

  constructor(readonly windows: readonly ScheduleWindow[]) {
    this.states = windows.map(() => ({ calls: 0 }));
  }

  /** Opens and closes windows whose triggers have fired by `now`; returns what changed. */
  tick(now: number, clock: TriggerClock): WindowTransition[] {
    const changes: WindowTransition[] = [];
    // Repeated until nothing changes: a window that ends may start the next one.
    for (let changed = true; changed; ) {
      changed = false;
      this.windows.forEach((window, index) => {
        const state = this.states[index] as WindowState;
        if (state.startedAt === undefined) {
          if (this.startsBy(window, now, clock)) {
            state.startedAt = now;
            changes.push({ window, index, phase: 'start', at: now });
            changed = true;
          }
        } else if (state.endedAt === undefined && this.endsBy(window, state, now, clock)) {
          state.endedAt = now;
          changes.push({ window, index, phase: 'heal', at: now });
          changed = true;
        }
      });
    }
    return changes;
  }

  /**
   * A call arrives at `now`, this service's `callNumber`-th (1-based): windows timed on it
   * open, the window that takes it counts it (and ends once it has its `calls`). Returns the
   * window's index (or undefined) and what changed.
   */
  arrive(now: number, callNumber: number, clock: TriggerClock): { window: number | undefined; changes: WindowTransition[] } {
    const changes = this.tick(now, clock);
    this.windows.forEach((window, index) => {
      const state = this.states[index] as WindowState;
      if (state.startedAt === undefined && 'call' in window.from && callNumber >= window.from.call) {
        state.startedAt = now;
        changes.push({ window, index, phase: 'start', at: now });
      }
    });
    const window = windowAt(this.windows, this.states, now);
    if (window !== undefined) {
      const state = this.states[window] as WindowState;
      state.calls += 1;
      const until = (this.windows[window] as ScheduleWindow).until;
      if ('calls' in until && state.calls >= until.calls) {
        // Its last call: the window is over for the next one.
        changes.push(...this.closeAt(window, now), ...this.tick(now, clock));
      }
    }
    return { window, changes };
  }

  private closeAt(index: number, now: number): WindowTransition[] {
    const state = this.states[index] as WindowState;
    if (state.endedAt !== undefined) return [];
    state.endedAt = now;
    return [{ window: this.windows[index] as ScheduleWindow, index, phase: 'heal', at: now }];
  }

  private startsBy(window: ScheduleWindow, now: number, clock: TriggerClock): boolean {
    const from = window.from;
    if ('call' in from) return false; // opened by `arrive`
    if ('afterWindow' in from) {
      const earlier = this.windows.findIndex((w) => w.name === from.afterWindow);
      const ended = this.states[earlier]?.endedAt;
      return ended !== undefined && ended <= now;
    }
    const fired = clock(from);
    return fired !== undefined && fired <= now;
  }

  private endsBy(window: ScheduleWindow, state: WindowState, now: number, clock: TriggerClock): boolean {
    const until = window.until;
    if ('calls' in until) return state.calls >= until.calls;
    if ('forMs' in until) return now >= (state.startedAt ?? now) + until.forMs;
    const fired = clock(until);
    return fired !== undefined && fired <= now;
  }
}
