// Unit tests of processed-once-across-brokers over literal histories.
import { describe, expect, it } from 'vitest';
import { processedOnceAcrossBrokers } from '../../src/checks/processed-once.js';
import type { Operation } from '../../src/runner/history.js';

const sent = (t: number, key: string, tags: string[] = []): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'orders', key, value: { tags } });
const shipped = (t: number, key: string, outcome: Operation['outcome'] = 'ok'): Operation => ({ t, process: 'downstream', kind: 'call', outcome, stream: 'fulfillment-api', key, value: {} });
const kill = (t: number): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: 0, phase: 'start', instance: 1, signal: 'SIGKILL' } });
const params = { subject: 'order', sent: { kind: 'produce', stream: 'orders' }, effects: { kind: 'call', stream: 'fulfillment-api' }, overlapTag: 'overlap' };
const run = (history: Operation[]) => processedOnceAcrossBrokers.run(history, processedOnceAcrossBrokers.parseParams(params));

describe('processed-once-across-brokers', () => {
  it('passes when each order was processed once, its overlap copy skipped, a cut-short call not counted', () => {
    expect(run([sent(0, 'a'), sent(1, 'b'), shipped(10, 'a'), shipped(20, 'b', 'info'), kill(25), shipped(40, 'b'), sent(50, 'a', ['overlap'])])).toMatchObject({ status: 'pass', observed: '2 orders processed, none twice' });
  });

  it('fails with not-deduplicated when a copy was processed again without a restart in between', () => {
    const result = run([sent(0, 'a'), sent(1, 'b'), shipped(10, 'a'), kill(15), shipped(20, 'b'), sent(30, 'a', ['overlap']), sent(30, 'b', ['overlap']), shipped(40, 'a'), shipped(41, 'b')]);
    expect(result).toMatchObject({ status: 'fail', cause: 'not-deduplicated', observed: '2 of 2 orders processed more than once, 1 of them with no restart in between' });
    expect(result.examples[0]).toContain('b (sent on RabbitMQ and again on Kafka): processed 2 times');
  });

  it('fails with forgotten-at-restart when every second processing followed a kill', () => {
    const result = run([sent(0, 'a'), shipped(10, 'a'), kill(15), sent(30, 'a', ['overlap']), shipped(40, 'a')]);
    expect(result).toMatchObject({ status: 'fail', cause: 'forgotten-at-restart' });
    expect(result.examples[0]).toContain('killed at');
  });

  it('fails with marks-outside-prefix when keys outside KEY_PREFIX name the run\'s orders, or no mark was found under it', () => {
    const marks = (marked: string[], outside?: { count: number; keys: string[] }): Operation => ({ t: 90, process: 'lab', kind: 'observe', outcome: 'ok', key: 'processed-marks', value: { marked, keys: marked.length, ...(outside ? { outside } : {}) } });
    const base = [sent(0, 'a'), shipped(10, 'a')];
    expect(run([...base, marks([], { count: 1, keys: ['shipped:a'] })])).toMatchObject({ status: 'fail', cause: 'marks-outside-prefix', examples: ['key "shipped:a"'] });
    expect(run([...base, marks([])])).toMatchObject({ status: 'fail', cause: 'marks-outside-prefix' });
    expect(run([...base, marks(['a'], { count: 0, keys: [] })])).toMatchObject({ status: 'pass' });
  });
});
