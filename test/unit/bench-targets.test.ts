// Targets, ratios and the evidence-based reason for a shortfall, and the rows of each
// `npm run bench` section built from literal measurements.
import { describe, expect, it } from 'vitest';
import { checkRow, wrongRow } from '../../src/bench/check-latency.js';
import { coldStartRows } from '../../src/bench/cold-start.js';
import type { CpuUsage } from '../../src/bench/cpu.js';
import { footprintRows, peakOf } from '../../src/bench/footprint.js';
import { type Evidence, checkTargetMs, explainShortfall, ratioTo, under } from '../../src/bench/targets.js';
import { COMPARISONS, comparisonRow } from '../../src/bench/tools-ratio.js';
import type { VariantResult } from '../../src/bench/types.js';

describe('targets', () => {
  it('ratio to the tool: PASS from 0.5 up', () => {
    expect(ratioTo(50, 100)).toEqual({ ratio: 0.5, status: 'PASS' });
    expect(ratioTo(49, 100)).toEqual({ ratio: 0.49, status: 'MISS' });
    expect(ratioTo(300, 100)).toEqual({ ratio: 3, status: 'PASS' });
    expect(ratioTo(10, 0)).toEqual({ ratio: undefined, status: 'MISS' });
  });

  it('times and memory must stay under their target', () => {
    expect(under(2_999, 3_000)).toBe('PASS');
    expect(under(3_000, 3_000)).toBe('MISS');
  });

  it('Kafka exercises get 6 s, the others 3 s', () => {
    expect(checkTargetMs(['kafka'])).toBe(6_000);
    expect(checkTargetMs(['redis'])).toBe(3_000);
    expect(checkTargetMs(['rabbitmq', 'postgres'])).toBe(3_000);
    expect(checkTargetMs(['rabbitmq'], true)).toBe(15_000);
    expect(checkTargetMs(['kafka-cluster'])).toBe(15_000);
    expect(checkTargetMs(['rabbitmq-cluster'])).toBe(15_000);
  });
});

describe('why ours fell short, from the CPU measured', () => {
  const base: Evidence = { cores: 2, ours: { client: 'ioredis', cpu: 0.5, eventLoop: 0.5, broker: 0.3, other: 0 }, theirs: { tool: 'redis-benchmark', cpu: 0.4, broker: 0.7 } };

  it('a busy JavaScript thread: our client was CPU-bound', () => {
    const text = explainShortfall({ ...base, ours: { ...base.ours, cpu: 0.95, eventLoop: 0.99 } });
    expect(text).toBe(
      'our client (ioredis) was CPU-bound: its JavaScript thread was busy 99% of the time, 95% of one core (JavaScript runs on one thread), ' +
        'while redis-benchmark used 40%; the broker used 30% of a core with ours, 70% with redis-benchmark',
    );
  });

  it('a tool using more than a core is said to spread over threads', () => {
    expect(explainShortfall({ ...base, ours: { ...base.ours, cpu: 0.9 }, theirs: { tool: 'ProducerPerformance', cpu: 1.4 } })).toContain(
      'while ProducerPerformance used 140% spread over several threads',
    );
  });

  it('a busy broker: the broker was the bottleneck', () => {
    expect(explainShortfall({ ...base, ours: { ...base.ours, broker: 0.97 } })).toBe(
      'the broker was the bottleneck: it used 97% of a core with our client (ours 50%)',
    );
  });

  it('no busy process but a full machine: saturated, with the noise noted', () => {
    expect(explainShortfall({ ...base, ours: { ...base.ours, other: 1.1 } })).toBe(
      'the machine was saturated: our client 50%, the broker 30%, other processes 110% of 2 cores; other processes used 110% meanwhile (noisy figures)',
    );
  });

  it('nothing busy: the time went to waiting for replies', () => {
    expect(explainShortfall(base)).toBe("neither our client (50% of a core) nor the broker (30%) was CPU-bound, so the time went to waiting for the broker's replies");
  });
});

const cpu = (over: Partial<CpuUsage>): CpuUsage => ({ wallMs: 1000, self: 0.2, eventLoop: 0.2, children: 0, other: 0, cores: 2, ...over });

describe('section rows', () => {
  it('a comparison: ratio, status, CPU, and a reason only below target', () => {
    const comparison = COMPARISONS.find((c) => c.broker === 'kafka' && c.variant === 'batch100-acks1')!;
    const ours: VariantResult = {
      broker: 'kafka', variant: 'batch100-acks1', label: 'batches of 100 records, acks=1 (leader only)', size: 100, sent: 50_000, delivered: 0, lost: 0,
      sentPerSecond: 30_000, mbPerSecond: 3, elapsedMs: 1_667, cpu: cpu({ self: 0.98, eventLoop: 0.99, broker: 0.2 }),
    };
    const theirs = { tool: 'ProducerPerformance acks=1', command: 'java ...', messagesPerSecond: 100_000, cpu: cpu({ self: 0, children: 1.3, broker: 0.5 }) };
    const row = comparisonRow({ comparison, size: 100, messages: 50_000, ours, theirs });
    expect(row.slice(0, 13)).toEqual([
      'Kafka', 'kafkajs batch100-acks1', 'ProducerPerformance acks=1', '100 B', '50,000', 'acknowledged sends/s',
      '30,000', '100,000', '0.30', '≥ 0.50', 'MISS', '98%/20%', '130%/50%',
    ]);
    expect(row[13]).toMatch(/^our client \(kafkajs\) was CPU-bound: its JavaScript thread was busy 99% of the time/);
    const passing = comparisonRow({ comparison, size: 100, messages: 50_000, ours: { ...ours, sentPerSecond: 80_000 }, theirs });
    expect(passing.slice(8, 11)).toEqual(['0.80', '≥ 0.50', 'PASS']);
    expect(passing[13]).toBe('');
  });

  it('a comparison that could not run says why', () => {
    const row = comparisonRow({ comparison: COMPARISONS[0]!, size: 100, messages: 50_000, error: 'redis-benchmark is not installed' });
    expect(row.slice(10)).toEqual(['MISS', '-', '-', 'not measured: redis-benchmark is not installed']);
  });

  it('check latency: median against the target; a reference that failed is a miss', () => {
    expect(checkRow({ exercise: 'kafka-consumer-group', brokers: ['kafka'], wallMs: [5200, 4800, 7000, 5100, 4900], failures: [] })).toEqual([
      'kafka-consumer-group', 'kafka', '5', '5.1 s', '4.8 s', '7.0 s', '< 6.0 s', 'PASS',
    ]);
    expect(checkRow({ exercise: 'redis-pubsub-notifier', brokers: ['redis'], wallMs: [1600], failures: ['run 1 exited 4'] })[7]).toBe('MISS (did not pass)');
  });

  it('the slowest wrong solution of an exercise against its 10 s target', () => {
    expect(wrongRow({ exercise: 'rabbitmq-exchanges', slowest: 'wrong/fanout-commands.ts', seconds: 1.2, runs: 6 })).toEqual(['rabbitmq-exchanges', '6', 'wrong/fanout-commands.ts', '1.2 s', '< 10.0 s', 'PASS']);
    expect(wrongRow({ exercise: 'kafka-consumer-group', slowest: 'wrong/default-session-timeout.ts', seconds: 41.4, runs: 10 })[5]).toBe('MISS');
  });

  it('cold start: each broker, then the total against 25 s', () => {
    expect(
      coldStartRows(
        [
          { name: 'redis', runtime: 'native', action: 'started', ms: 310 },
          { name: 'kafka', runtime: 'native', action: 'started', ms: 2_400 },
          { name: 'sqs', runtime: 'external', action: 'external', ms: 20 },
        ],
        9_800,
      ),
    ).toEqual([
      ['redis', 'native', '0.3 s', '', ''],
      ['kafka', 'native', '2.4 s', '', ''],
      ['sqs', 'external', 'external', '', ''],
      ['all (brokerlab up)', '', '9.8 s', '< 25.0 s', 'PASS'],
    ]);
  });

  it('footprint: the peak sample per pilot and overall', () => {
    const MiB = 1024 ** 2;
    expect(peakOf([{ brokers: 900 * MiB, lab: 100 * MiB }, { brokers: 950 * MiB, lab: 200 * MiB }, { brokers: 1000 * MiB, lab: 50 * MiB }])).toEqual({
      brokers: 950 * MiB,
      lab: 200 * MiB,
    });
    const rows = footprintRows([
      { exercise: 'redis-pubsub-notifier', samples: 9, peak: { brokers: 900 * MiB, lab: 150 * MiB }, brokersCounted: ['redis'] },
      { exercise: 'kafka-consumer-group', samples: 30, peak: { brokers: 1400 * MiB, lab: 400 * MiB }, brokersCounted: ['kafka'] },
    ]);
    expect(rows).toEqual([
      ['redis-pubsub-notifier', '1.03 GiB', '900 MiB', '150 MiB', '9', '< 2.50 GiB', 'PASS'],
      ['kafka-consumer-group', '1.76 GiB', '1.37 GiB', '400 MiB', '30', '< 2.50 GiB', 'PASS'],
      ['any pilot (the highest)', '1.76 GiB', '1.37 GiB', '400 MiB', '39', '< 2.50 GiB', 'PASS'],
    ]);
  });
});
