import { describe, expect, it } from 'vitest';
import { Schedule, parseSchedule, windowAt, type TriggerClock } from '../../src/runner/downstream-schedule.js';

/** A run whose workload started at 1000 and entered phase "outage" at 3000. */
const clock: TriggerClock = (trigger) => ('phase' in trigger ? (trigger.phase === 'outage' ? 3_000 : undefined) : 1_000 + trigger.afterMs);

describe('parseSchedule', () => {
  it('reads windows with defaults', () => {
    const [w] = parseSchedule([{ mode: 'error', from: { phase: 'outage' }, until: { forMs: 2000 } }]);
    expect(w).toEqual({ name: 'error-1', mode: 'error', from: { phase: 'outage' }, until: { forMs: 2000 }, status: 503, extraMs: 0, maxHoldMs: 10_000 });
    expect(parseSchedule(undefined)).toEqual([]);
  });
  it('names what is wrong', () => {
    expect(() => parseSchedule([{ mode: 'broken', from: { afterMs: 1 }, until: { forMs: 1 } }])).toThrow('"schedule[0].mode" must be one of error, slow, timeout, down');
    expect(() => parseSchedule([{ mode: 'error', status: 404, from: { afterMs: 1 }, until: { forMs: 1 } }])).toThrow('must be 500 or 503');
    expect(() => parseSchedule([{ mode: 'down', from: { soon: true }, until: { forMs: 1 } }])).toThrow('"schedule[0].from" must be');
    expect(() => parseSchedule([{ mode: 'down', from: { afterWindow: 'later' }, until: { forMs: 1 } }])).toThrow('must name an earlier window');
  });
});

describe('windowAt', () => {
  const windows = parseSchedule([
    { name: 'a', mode: 'error', from: { afterMs: 0 }, until: { forMs: 10 } },
    { name: 'b', mode: 'slow', from: { afterMs: 0 }, until: { forMs: 100 } },
  ]);
  it('is the first open window at t, with its end excluded', () => {
    const states = [{ startedAt: 100, endedAt: 200, calls: 0 }, { startedAt: 150, endedAt: 400, calls: 0 }];
    expect(windowAt(windows, states, 99)).toBeUndefined();
    expect(windowAt(windows, states, 100)).toBe(0);
    expect(windowAt(windows, states, 199)).toBe(0);
    expect(windowAt(windows, states, 200)).toBe(1);
    expect(windowAt(windows, states, 400)).toBeUndefined();
  });
  it('an open window without an end applies from its start on', () => {
    expect(windowAt(windows, [{ calls: 0 }, { startedAt: 5, calls: 0 }], 1e9)).toBe(1);
  });
});

describe('Schedule', () => {
  it('opens on a phase, closes after forMs, and the next window follows it', () => {
    const s = new Schedule(parseSchedule([
      { name: 'errors', mode: 'error', from: { phase: 'outage' }, until: { forMs: 2000 } },
      { name: 'gone', mode: 'down', from: { afterWindow: 'errors' }, until: { forMs: 1000 } },
    ]));
    expect(s.tick(2_990, clock)).toEqual([]);
    expect(s.tick(3_010, clock).map((c) => [c.window.name, c.phase, c.at])).toEqual([['errors', 'start', 3_010]]);
    expect(s.arrive(4_000, 1, clock).window).toBe(0);
    expect(s.tick(5_010, clock).map((c) => [c.window.name, c.phase, c.at])).toEqual([['errors', 'heal', 5_010], ['gone', 'start', 5_010]]);
    expect(s.arrive(5_500, 2, clock).window).toBe(1);
    expect(s.tick(6_020, clock).map((c) => [c.window.name, c.phase])).toEqual([['gone', 'heal']]);
    expect(s.arrive(6_100, 3, clock).window).toBeUndefined();
    expect(s.states.map((st) => st.calls)).toEqual([1, 1]);
  });
  it('a window timed on calls takes the N-th call on and lasts N calls', () => {
    const s = new Schedule(parseSchedule([{ name: 'hang', mode: 'timeout', from: { call: 3 }, until: { calls: 2 } }]));
    expect(s.arrive(10, 1, clock).window).toBeUndefined();
    expect(s.arrive(20, 2, clock).window).toBeUndefined();
    const third = s.arrive(30, 3, clock);
    expect(third.window).toBe(0);
    expect(third.changes.map((c) => c.phase)).toEqual(['start']);
    const fourth = s.arrive(40, 4, clock);
    expect(fourth.window).toBe(0);
    expect(fourth.changes.map((c) => [c.phase, c.at])).toEqual([['heal', 40]]);
    expect(s.arrive(50, 5, clock).window).toBeUndefined();
  });
  it('afterMs counts from the workload start, as fault triggers do', () => {
    const s = new Schedule(parseSchedule([{ mode: 'slow', extraMs: 300, from: { afterMs: 500 }, until: { afterMs: 900 } }]));
    expect(s.tick(1_499, clock)).toEqual([]);
    expect(s.tick(1_500, clock).map((c) => c.phase)).toEqual(['start']);
    expect(s.tick(1_900, clock).map((c) => c.phase)).toEqual(['heal']);
  });
});
