// The fault library's schedules and settings, over literal data: triggers, network effects,
// the learner's env through a proxy, restart-broker's params.
import { describe, expect, it } from 'vitest';
import { FAULTS, runsAlone } from '../../src/faults/index.js';
import { toxicOf } from '../../src/faults/network.js';
import { firedAt, parseTrigger } from '../../src/faults/triggers.js';
import type { Operation } from '../../src/runner/history.js';
import { throughProxies } from '../../src/runner/run.js';

const produce = (t: number, stream = 'tasks'): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream, key: `k${t}` });
const phase = (t: number, key: string): Operation => ({ t, process: 'lab', kind: 'phase', outcome: 'ok', key });

describe('triggers', () => {
  it('parses each kind, and refuses anything else naming the field', () => {
    expect(parseTrigger({ call: 30, tag: 'lone', attempt: 2 })).toEqual({ call: 30, tag: 'lone', attempt: 2 });
    expect(parseTrigger({ produced: 50, stream: 'orders' })).toEqual({ produced: 50, stream: 'orders' });
    expect(parseTrigger({ afterMs: 800 })).toEqual({ afterMs: 800 });
    expect(parseTrigger({ phase: 'phase-2' })).toEqual({ phase: 'phase-2' });
    expect(() => parseTrigger({ soon: true })).toThrow('"at" must be a trigger');
    expect(() => parseTrigger(undefined)).toThrow('"at" must be a trigger');
  });
  it('"produced" fires at the N-th message the lab produced (of the stream, if given)', () => {
    const h = [produce(10), produce(20, 'other'), produce(30), produce(40)];
    expect(firedAt({ produced: 2 }, h, 100)).toBe(20);
    expect(firedAt({ produced: 2, stream: 'tasks' }, h, 100)).toBe(30);
    expect(firedAt({ produced: 5 }, h, 100)).toBeUndefined();
  });
  it('"afterMs" counts from the workload phase; "phase" fires when the workload enters it', () => {
    const h = [phase(500, 'workload'), phase(900, 'phase-2')];
    expect(firedAt({ afterMs: 300 }, h, 800)).toBe(800);
    expect(firedAt({ afterMs: 300 }, h, 799)).toBeUndefined();
    expect(firedAt({ afterMs: 300 }, [], 5000)).toBeUndefined();
    expect(firedAt({ phase: 'phase-2' }, h, 1000)).toBe(900);
  });
});

describe('network', () => {
  const base = { latencyMs: 200, jitterMs: 50, delayMs: 300, rateKBps: 8 };
  it('maps each effect to its toxic; a cut disables the proxy instead', () => {
    expect(toxicOf({ ...base, effect: 'cut' })).toBeUndefined();
    expect(toxicOf({ ...base, effect: 'latency' })).toEqual({ type: 'latency', attributes: { latency: 200, jitter: 50 } });
    expect(toxicOf({ ...base, effect: 'reset' })).toEqual({ type: 'reset_peer', attributes: { timeout: 0 } });
    expect(toxicOf({ ...base, effect: 'slow-close' })).toEqual({ type: 'slow_close', attributes: { delay: 300 } });
    expect(toxicOf({ ...base, effect: 'bandwidth' })).toEqual({ type: 'bandwidth', attributes: { rate: 8 } });
  });
  it('refuses Kafka (its clients would bypass a proxy) and a call trigger', () => {
    const parse = (raw: Record<string, unknown>) => FAULTS.get('network')?.parseParams(raw);
    expect(() => parse({ broker: 'kafka', effect: 'cut', at: { phase: 'x' }, durationMs: 1 })).toThrow('Kafka');
    expect(() => parse({ broker: 'redis', effect: 'cut', at: { call: 3 }, durationMs: 1 })).toThrow('"at" must be');
    expect(parse({ broker: 'redis', effect: 'cut', at: { phase: 'cut' }, durationMs: 500 })).toMatchObject({ broker: 'redis', effect: 'cut', durationMs: 500 });
  });
  it('gives the learner the proxy\'s address in the same variables, leaving the rest alone', () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672/bl-x', ORDERS_CHANNEL: 'bl-x:orders' };
    expect(throughProxies(env, [{ upstream: '127.0.0.1:6379', listen: '127.0.0.1:40001' }])).toEqual({ ...env, REDIS_URL: 'redis://127.0.0.1:40001' });
  });
});

describe('restart-broker and pause-learner', () => {
  it('a scenario that restarts a broker runs alone; one that kills or pauses its own program does not', () => {
    expect(runsAlone([{ fault: 'restart-broker' }])).toBe(true);
    expect(runsAlone([{ fault: 'kill-learner' }, { fault: 'pause-learner' }, { fault: 'network' }])).toBe(false);
  });
  it('parse their params with the field named', () => {
    expect(FAULTS.get('restart-broker')?.parseParams({ broker: 'redis', at: { phase: 'restart' }, keepData: true })).toEqual({ broker: 'redis', at: { phase: 'restart' }, downMs: 0, keepData: true });
    expect(() => FAULTS.get('restart-broker')?.parseParams({ broker: 'activemq', at: { phase: 'x' } })).toThrow('"broker" must be one of');
    expect(FAULTS.get('pause-learner')?.parseParams({ at: { call: 20 }, durationMs: 3000 })).toEqual({ at: { call: 20 }, instance: 1, durationMs: 3000 });
    expect(() => FAULTS.get('pause-learner')?.parseParams({ at: { call: 20 } })).toThrow('"durationMs" must be a number');
  });
});
