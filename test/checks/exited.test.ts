// exitedEarly and blamedOnExit over literal histories.
import { describe, expect, it } from 'vitest';
import { blamedOnExit, exitedEarly } from '../../src/checks/exited.js';
import type { Operation } from '../../src/runner/history.js';

const exit = (t: number, byLab: boolean): Operation => ({ t, process: 'learner-1', kind: 'process', outcome: byLab ? 'ok' : 'fail', value: { event: 'exit', code: byLab ? 0 : 1, signal: null, byLab } });
const start: Operation = { t: 10, process: 'learner-1', kind: 'process', outcome: 'ok', value: { event: 'start', pid: 1, start: 10 } };

describe('exitedEarly', () => {
  it('is undefined when the lab stopped the program', () => {
    expect(exitedEarly([start, exit(9_000, true)])).toBeUndefined();
  });
  it('names the first exit the lab did not cause, with its time', () => {
    const early = exitedEarly([start, exit(2_100, false), exit(2_500, false)]);
    expect(early).toMatchObject({ t: 2_100, process: 'learner-1' });
    expect(early?.note).toBe('your program had exited at 2.1s (see the first failing check): nothing consumed or published after that');
  });
  it('blamedOnExit puts the exit first and names the cause program-exited', () => {
    const early = exitedEarly([exit(2_100, false)]);
    if (!early) throw new Error('expected an early exit');
    const result = blamedOnExit({ title: 't', status: 'fail', expected: 'e', observed: '3 offers are missing', examples: [], cause: 'not-routed' }, early);
    expect(result).toMatchObject({ status: 'fail', cause: 'program-exited' });
    expect(result.observed).toBe('your program had exited at 2.1s (see the first failing check): nothing consumed or published after that; 3 offers are missing');
  });
});
