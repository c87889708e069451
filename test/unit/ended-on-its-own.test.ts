// The runner's own check for a program that does not keep running: over literal histories.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/runner/history.js';
import { endedOnItsOwn } from '../../src/runner/run.js';

const exit = (t: number, byLab: boolean, code: number | null, signal: string | null = null): Operation => ({ t, process: 'learner-1', kind: 'process', outcome: byLab ? 'ok' : 'fail', value: { event: 'exit', code, signal, byLab } });

describe('endedOnItsOwn', () => {
  it('says nothing when every copy ran until the lab stopped or killed it', () => {
    expect(endedOnItsOwn([exit(900, true, null, 'SIGKILL'), exit(3_000, true, 0)])).toBeUndefined();
  });

  it('fails a copy that exited with code 0 by itself, and says how to keep it running', () => {
    const r = endedOnItsOwn([exit(1_250, false, 0)]);
    expect(r).toMatchObject({ name: 'program-starts', status: 'fail', observed: 'learner-1 exited with code 0 after 1.3s, on its own, while the lab was still running the exercise' });
    expect(r?.hint).toMatch(/^Your program ended by itself/);
  });

  it('points a crash at its stderr', () => {
    expect(endedOnItsOwn([exit(800, false, 1)])?.hint).toMatch(/learner-1\.stderr\.log/);
  });
});
