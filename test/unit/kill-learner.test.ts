// kill-learner's schedule, over literal histories: which call is the victim, and the
// evidence that ends a hold.
import { describe, expect, it } from 'vitest';
import { isVictim, killLearner, overtakenBy, redelivered } from '../../src/faults/kill-learner.js';
import type { Operation } from '../../src/runner/history.js';

const produced = (key: string, tags: string[] = []): Operation => ({ t: 0, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'tasks', key, value: { tags } });
const answered = (key: string, instance: number, arrivedAt: number, outcome: Operation['outcome'] = 'ok'): Operation => ({ t: arrivedAt + 20, process: 'downstream', kind: 'call', outcome, stream: 'api', key, value: { instance, arrivedAt } });

describe('kill-learner', () => {
  const history = [produced('a'), produced('p', ['poison', 'lone'])];

  it('strikes at the first call from atCall on', () => {
    expect(isVictim({ index: 29, key: 'a', attempt: 1 }, { atCall: 30 }, history)).toBe(false);
    expect(isVictim({ index: 30, key: 'a', attempt: 1 }, { atCall: 30 }, history)).toBe(true);
  });

  it('between attempts: only a call of a message with the tag, at the given attempt', () => {
    const params = { atCall: 1, tag: 'lone', attempt: 2 };
    expect(isVictim({ index: 5, key: 'a', attempt: 2 }, params, history)).toBe(false);
    expect(isVictim({ index: 5, key: 'p', attempt: 1 }, params, history)).toBe(false);
    expect(isVictim({ index: 6, key: 'p', attempt: 2 }, params, history)).toBe(true);
  });

  it('a hold ends "overtaken" once the same copy finished a call that came after the victim', () => {
    const victim = { key: 'v', instance: 1, arrivedAt: 100 };
    expect(overtakenBy(victim, [answered('x', 1, 90)])).toBeUndefined(); // came before the victim
    expect(overtakenBy(victim, [answered('x', 2, 110)])).toBeUndefined(); // another copy
    expect(overtakenBy(victim, [answered('x', 1, 110, 'fail')])).toBeUndefined(); // not done
    expect(overtakenBy(victim, [answered('x', 1, 110)])?.key).toBe('x');
  });

  it('a hold ends "redelivered" once another copy processed the victim message', () => {
    const victim = { key: 'v', instance: 1, arrivedAt: 100 };
    expect(redelivered(victim, [answered('v', 1, 150)])).toBe(false);
    expect(redelivered(victim, [answered('v', 2, 150)])).toBe(true);
  });

  it('parses its params and refuses bad ones with the field named', () => {
    expect(killLearner.parseParams({ atCall: 60, hold: { maxMs: 6000, until: ['committed-past', 'redelivered'] }, victimIf: 'followed-in-batch' })).toEqual({
      atCall: 60,
      victimIf: 'followed-in-batch',
      hold: { maxMs: 6000, settleMs: 300, until: ['committed-past', 'redelivered'] },
      restart: false,
      restartDelayMs: 500,
    });
    expect(() => killLearner.parseParams({ hold: { maxMs: 10, until: ['soon'] } })).toThrow('"hold.until" must be a list of');
    expect(() => killLearner.parseParams({ restart: 'yes' })).toThrow('"restart" must be true or false');
    expect(killLearner.parseParams({ restart: true, restartWhen: 'while-down-queued' })).toMatchObject({ restart: true, restartWhen: 'while-down-queued' });
    expect(() => killLearner.parseParams({ restartWhen: 'while-down-queued' })).toThrow('"restartWhen" waits before a restart: it needs "restart": true');
  });
});

describe('kill-learner: by service and copy', () => {
  it('strikes only a call to the named downstream, by the named copy', () => {
    const params = { atCall: 1, service: 'payments-api', instance: 2 };
    expect(isVictim({ index: 3, key: 'a', attempt: 1, service: 'shipping-api', instance: 2 }, params, [])).toBe(false);
    expect(isVictim({ index: 3, key: 'a', attempt: 1, service: 'payments-api', instance: 1 }, params, [])).toBe(false);
    expect(isVictim({ index: 3, key: 'a', attempt: 1, service: 'payments-api', instance: 2 }, params, [])).toBe(true);
  });
});

describe('kill-learner: at a trigger', () => {
  it('takes a non-call trigger and a copy, and refuses a trigger mixed with a victim call', () => {
    expect(killLearner.parseParams({ at: { phase: 'kill' }, restart: true, restartDelayMs: 200 })).toEqual({
      at: { phase: 'kill' },
      atCall: 1,
      restart: true,
      restartDelayMs: 200,
    });
    expect(killLearner.parseParams({ at: { produced: 40 }, instance: 2 })).toMatchObject({ at: { produced: 40 }, instance: 2 });
    expect(() => killLearner.parseParams({ at: { call: 3 } })).toThrow('"at" must be {"phase": "name"}');
    expect(() => killLearner.parseParams({ at: { phase: 'kill' }, tag: 'victim', hold: { maxMs: 10, until: [] } })).toThrow('cannot be combined with "tag", "hold"');
  });
});
