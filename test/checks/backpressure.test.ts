// Unit tests of bounded-in-flight and catch-up over literal histories.
import { describe, expect, it } from 'vitest';
import { boundedInFlight, catchUp, mostInFlight } from '../../src/checks/backpressure.js';
import type { Operation } from '../../src/runner/history.js';

const MiB = 1024 * 1024;
const phase: Operation = { t: 1_000, process: 'lab', kind: 'phase', outcome: 'ok', key: 'flood' };
const spell = (t: number, p: 'start' | 'heal'): Operation => ({ t, process: 'downstream', kind: 'fault', outcome: 'ok', stream: 'ocr-api', value: { fault: 'ocr-api slow', id: -1, phase: p, window: 'slow', mode: 'slow' } });
const sample = (t: number, rssMiB: number, unacked = 0, acked = 0): Operation => ({
  t,
  process: 'lab',
  kind: 'observe',
  outcome: 'ok',
  key: 'learner-sample',
  value: { instance: 1, rssBytes: rssMiB * MiB, queue: { name: 'pages', unacked, ready: 100, acked } },
});
const call = (key: string, arrivedAt: number, t: number, outcome: Operation['outcome'] = 'ok'): Operation => ({ t, process: 'downstream', kind: 'call', outcome, stream: 'ocr-api', key, value: { instance: 1, arrivedAt, status: 200 } });
const produce = (key: string, t = 1_000): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'pages', key, value: {} });

const params = { subject: 'page', calls: { kind: 'call' as const, stream: 'ocr-api' }, window: 'slow', phase: 'flood', maxInFlight: 10, instances: 1, slack: 2, maxGrowthMiB: 40, baselineMs: 1_500 };
const calm = [sample(200, 100), sample(500, 101), sample(800, 100)];

describe('mostInFlight', () => {
  it('counts calls between arrival and answer, and a call answered as the next arrives is no overlap', () => {
    expect(mostInFlight([call('a', 0, 100), call('b', 100, 200), call('c', 150, 300)]).most).toBe(2);
  });
});

describe('bounded-in-flight', () => {
  it('passes with the limit held and flat memory', () => {
    const h = [...calm, phase, spell(1_000, 'start'), sample(2_000, 112, 10, 1), call('p1', 1_500, 1_800), spell(7_000, 'heal')];
    expect(boundedInFlight.run(h, params)).toMatchObject({ status: 'pass' });
  });

  it('names acked-before-done when RabbitMQ counted far more acked than the service had done', () => {
    const h = [...calm, phase, spell(1_000, 'start'), sample(2_000, 200, 0, 900), call('p1', 1_500, 1_800), spell(7_000, 'heal')];
    expect(boundedInFlight.run(h, params)).toMatchObject({ status: 'fail', cause: 'acked-before-done' });
  });

  it('names unacked-over-limit when more than the limit + slack were unacknowledged at once', () => {
    const h = [...calm, phase, spell(1_000, 'start'), sample(2_000, 105, 13, 0), spell(7_000, 'heal')];
    expect(boundedInFlight.run(h, params)).toMatchObject({ status: 'fail', cause: 'unacked-over-limit' });
    const within = [...calm, phase, spell(1_000, 'start'), sample(2_000, 105, 12, 0), spell(7_000, 'heal')];
    expect(boundedInFlight.run(within, params).status).toBe('pass');
  });

  it('names calls-over-limit when more calls than the limit + slack were in flight', () => {
    const calls = Array.from({ length: 13 }, (_, i) => call(`p${i}`, 1_500 + i, 2_000 + i));
    const h = [...calm, phase, spell(1_000, 'start'), sample(3_000, 105, 5, 13), ...calls, spell(7_000, 'heal')];
    expect(boundedInFlight.run(h, params)).toMatchObject({ status: 'fail', cause: 'calls-over-limit' });
  });

  it('names memory-grew when the RSS during the flood rose above the bound over the baseline', () => {
    const h = [...calm, phase, spell(1_000, 'start'), sample(2_000, 145, 10, 0), spell(7_000, 'heal'), sample(9_000, 300, 0, 0)];
    const result = boundedInFlight.run(h, params);
    expect(result).toMatchObject({ status: 'fail', cause: 'memory-grew' });
    expect(result.observed).toContain('grew by 45.0 MiB');
    // After the spell, growth is not judged (the backlog is worked through at full speed).
    const later = [...calm, phase, spell(1_000, 'start'), sample(2_000, 120, 10, 0), spell(7_000, 'heal'), sample(9_000, 300, 0, 0)];
    expect(boundedInFlight.run(later, params).status).toBe('pass');
  });

  it('is unknown without a slow spell or samples', () => {
    expect(boundedInFlight.run([phase], params).status).toBe('unknown');
  });
});

describe('catch-up', () => {
  const cParams = { subject: 'page', sent: { kind: 'produce' as const, stream: 'pages' }, calls: { kind: 'call' as const, stream: 'ocr-api' }, window: 'slow', catchUpMs: 12_000 };

  it('passes when every page was done within catchUpMs after the spell', () => {
    const h = [produce('a'), produce('b'), spell(1_000, 'start'), call('a', 2_000, 2_300), spell(7_000, 'heal'), call('b', 10_000, 10_030)];
    expect(catchUp.run(h, cParams)).toMatchObject({ status: 'pass' });
  });

  it('says too-slow when pages were done later, with progress going on', () => {
    const late = Array.from({ length: 10 }, (_, i) => call(`l${i}`, 17_000 + i * 1_000, 17_030 + i * 1_000));
    const h = [...Array.from({ length: 10 }, (_, i) => produce(`l${i}`)), spell(1_000, 'start'), spell(7_000, 'heal'), ...late];
    expect(catchUp.run(h, cParams)).toMatchObject({ status: 'fail', cause: 'too-slow' });
  });

  it('says stalled when nothing got done for the last third of the time', () => {
    const h = [produce('a'), produce('b'), spell(1_000, 'start'), call('a', 7_500, 7_530), spell(7_000, 'heal')];
    expect(catchUp.run(h, cParams)).toMatchObject({ status: 'fail', cause: 'stalled', examples: ['b'] });
  });

  it('says stalled when nothing was ever done', () => {
    expect(catchUp.run([produce('a'), spell(1_000, 'start'), spell(7_000, 'heal')], cParams)).toMatchObject({ status: 'fail', cause: 'stalled', observed: 'no page was ever done (1 sent)' });
  });

  it('is unknown when the spell never ended', () => {
    expect(catchUp.run([produce('a'), spell(1_000, 'start')], cParams).status).toBe('unknown');
  });
});
