import { describe, expect, it } from 'vitest';
import { scaleLearner, scaleSteps } from '../../src/faults/scale-learner.js';
import { startedLateNotReady } from '../../src/runner/run.js';
import type { Operation } from '../../src/runner/history.js';

describe('scale-learner schedule', () => {
  it('scales out by starting the lowest-numbered copies not running, one per step', () => {
    expect(scaleSteps([1], 4, 4)).toEqual([
      { action: 'start', instance: 2 },
      { action: 'start', instance: 3 },
      { action: 'start', instance: 4 },
    ]);
    expect(scaleSteps([1, 3], 3, 4)).toEqual([{ action: 'start', instance: 2 }]);
  });

  it('scales in by stopping the highest-numbered running copies', () => {
    expect(scaleSteps([1, 2, 3, 4], 2, 4)).toEqual([
      { action: 'stop', instance: 4 },
      { action: 'stop', instance: 3 },
    ]);
  });

  it('does nothing when the count is already right, and refuses more copies than learner.instances', () => {
    expect(scaleSteps([1, 2], 2, 4)).toEqual([]);
    expect(() => scaleSteps([1], 5, 4)).toThrow(/between 0 and learner.instances \(4\)/);
  });

  it('parses its params: from is optional, a call trigger is refused', () => {
    expect(scaleLearner.parseParams({ from: 1, to: 4, at: { produced: 200 } })).toEqual({ from: 1, to: 4, at: { produced: 200 }, stepMs: 1_000, graceMs: 6_000 });
    expect(scaleLearner.initialInstances?.(scaleLearner.parseParams({ to: 2, at: { afterMs: 10 } }))).toBeUndefined();
    expect(() => scaleLearner.parseParams({ to: 4, at: { call: 3 } })).toThrow(/call trigger/);
  });
});

describe('a copy started late that never got ready', () => {
  const op = (value: Record<string, unknown>, outcome: Operation['outcome'] = 'ok'): Operation => ({ t: 4_000, process: 'learner-3', kind: 'process', outcome, value });

  it('is the runner\'s failing "ready" check, with the workload\'s reason and hint', () => {
    const check = startedLateNotReady([op({ event: 'start', pid: 1, start: 1 }), op({ event: 'not-ready', reason: 'the group never had 3 members', hint: 'join the group' }, 'fail')]);
    expect(check).toMatchObject({ name: 'ready', status: 'fail', hint: 'join the group' });
    expect(check?.observed).toMatch(/learner-3, which the lab started mid-run.*never had 3 members/);
  });

  it('is nothing when every copy got ready', () => {
    expect(startedLateNotReady([op({ event: 'start', pid: 1, start: 1 })])).toBeUndefined();
  });
});
