/**
 * activeFaults: the run's active faults kept from fault events as they are recorded, always
 * the same answer as a scan of the whole history (faultActive), however it is started.
 */
import { describe, expect, it } from 'vitest';
import { activeFaults, faultActive, type FaultEvent } from '../../src/faults/events.js';
import { HistoryRecorder } from '../../src/runner/history.js';

const fault = (history: HistoryRecorder, event: Omit<FaultEvent, 'fault'>) =>
  history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', ...event } });

describe('activeFaults', () => {
  it('follows holds, kills and heals of two faults as they are recorded', () => {
    const history = new HistoryRecorder();
    const active = activeFaults(history);
    const steps: Array<[() => void, boolean, string[]]> = [
      [() => history.record({ process: 'lab', kind: 'phase', outcome: 'ok', key: 'start' }), false, []],
      [() => fault(history, { id: 0, phase: 'hold', instance: 1 }), true, ['kill-learner#0']],
      [() => fault(history, { id: 0, phase: 'start', instance: 1, signal: 'SIGKILL' }), true, ['kill-learner#0']],
      [() => fault(history, { id: 1, phase: 'start', instance: 2, signal: 'SIGSTOP' }), true, ['kill-learner#0', 'kill-learner#1']],
      [() => fault(history, { id: 0, phase: 'heal', instance: 1, restarted: true }), true, ['kill-learner#1']],
      // Not a fault event (no phase): it changes nothing.
      [() => history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: 'noise' }), true, ['kill-learner#1']],
      [() => fault(history, { id: 1, phase: 'heal', instance: 2 }), false, []],
    ];
    for (const [step, expected, ids] of steps) {
      step();
      expect(active.active()).toBe(expected);
      expect(active.active()).toBe(faultActive(history.history));
      expect([...active.ids()].sort()).toEqual(ids);
    }
  });

  it('counts the events recorded before it started, and stops following when told', () => {
    const history = new HistoryRecorder();
    fault(history, { id: 0, phase: 'start', instance: 1, signal: 'SIGKILL' });
    const active = activeFaults(history);
    expect(active.active()).toBe(true);
    active.stop();
    fault(history, { id: 0, phase: 'heal', instance: 1, restarted: true });
    expect(active.active()).toBe(true);
    expect(faultActive(history.history)).toBe(false);
  });
});
