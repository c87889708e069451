// `npm run bench`'s arguments, the docs/benchmarks.md blocks, `brokerlab bench`'s arguments,
// the dev-check tables and the HTML report, from literal data.
import { describe, expect, it } from 'vitest';
import { coldStartSection } from '../../src/bench/cold-start.js';
import { perSolutionTable, parallelRows, supportsParallel } from '../../src/bench/dev-check-parallel.js';
import { replaceBlock } from '../../src/bench/docs.js';
import { benchHtml, logTicks } from '../../src/bench/html.js';
import { parseBenchBrokers, parseSize } from '../../src/bench/run.js';
import { parseOnly, parseSuiteArgs } from '../../src/bench/suite.js';
import type { VariantResult } from '../../src/bench/types.js';
import { UsageError } from '../../src/errors.js';

describe('npm run bench arguments', () => {
  it('all sections by default, writing the docs', () => {
    expect(parseSuiteArgs([])).toEqual({ only: ['tools', 'check', 'cold-start', 'footprint', 'dev-check'], runs: 5, repeat: 1, docs: true });
  });

  it('--only by name or number, kept in section order', () => {
    expect(parseOnly('footprint,tools')).toEqual(['tools', 'footprint']);
    expect(parseOnly('2,5')).toEqual(['check', 'dev-check']);
    expect(parseSuiteArgs(['--only=check', '--runs', '3', '--repeat', '2', '--no-docs'])).toEqual({ only: ['check'], runs: 3, repeat: 2, docs: false });
  });

  it('unknown sections and arguments are usage errors', () => {
    expect(() => parseOnly('tools,speed')).toThrow(UsageError);
    expect(() => parseOnly('6')).toThrow(/unknown section "6"/);
    expect(() => parseSuiteArgs(['--fast'])).toThrow(/unknown argument "--fast"/);
    expect(() => parseSuiteArgs(['--runs', '0'])).toThrow(/--runs must be a whole number >= 1/);
    expect(() => parseSuiteArgs(['--exercises', 'load-test,nope'])).toThrow(/--exercises: unknown exercise "nope"/);
  });

  it('--exercises measures only those, and prints without touching the docs (a partial table)', () => {
    expect(parseSuiteArgs(['--only', 'check', '--exercises', 'load-test'])).toEqual({ only: ['check'], runs: 5, repeat: 1, docs: false, exercises: ['load-test'] });
  });
});

describe('docs/benchmarks.md blocks', () => {
  const doc = '# Benchmarks\n\nProse.\n\n## 2. Check latency\n\n<!-- bench:check -->\nold table\n<!-- /bench:check -->\n\nMore prose.\n';

  it('replaces only what is between the markers', () => {
    expect(replaceBlock(doc, 'check', '| new |', 'ignored')).toBe(
      '# Benchmarks\n\nProse.\n\n## 2. Check latency\n\n<!-- bench:check -->\n| new |\n<!-- /bench:check -->\n\nMore prose.\n',
    );
  });

  it('appends a block that is not there yet, under a heading', () => {
    expect(replaceBlock('# Benchmarks', 'tools', 'table', '1. Tools')).toBe('# Benchmarks\n\n## 1. Tools\n\n<!-- bench:tools -->\ntable\n<!-- /bench:tools -->\n');
  });
});

describe('brokerlab bench arguments', () => {
  it('brokers: none means all four; only the brokers bench measures', () => {
    expect(parseBenchBrokers([])).toEqual(['redis', 'rabbitmq', 'kafka', 'sqs']);
    expect(parseBenchBrokers(['SQS', 'redis'])).toEqual(['redis', 'sqs']);
    expect(() => parseBenchBrokers(['postgres'])).toThrow('unknown broker "postgres" for bench; it measures: redis, rabbitmq, kafka, sqs');
  });

  it('sizes in bytes or KiB, within what every broker takes', () => {
    expect(parseSize('100')).toBe(100);
    expect(parseSize('1k')).toBe(1024);
    expect(parseSize('16KiB')).toBe(16 * 1024);
    expect(() => parseSize('8')).toThrow(/from 16 to 262144/);
    expect(() => parseSize('1m')).toThrow(UsageError);
    expect(() => parseSize('300k')).toThrow(UsageError);
  });
});

describe('dev check section', () => {
  it('knows whether dev check has --parallel', () => {
    expect(supportsParallel('Options:\n  --repeat <n>  run each solution n times\n  --parallel <n>  how many runs go at the same time')).toBe(true);
    expect(supportsParallel('Options:\n  --repeat <n>  run each solution n times\n')).toBe(false);
  });

  const rows = [
    { exercise: 'redis-pubsub-notifier', solution: 'reference', seconds: 1.6, ok: true },
    { exercise: 'redis-pubsub-notifier', solution: 'starter', seconds: 9.4, ok: true },
    { exercise: 'redis-pubsub-notifier', solution: 'reference', seconds: 1.9, ok: true },
    { exercise: 'redis-pubsub-notifier', solution: 'reference', seconds: 1.7, ok: false },
  ];

  it('wall time per level, with the speed-up against --parallel 1', () => {
    expect(
      parallelRows([
        { parallel: 1, wallMs: 300_000, code: 0, rows },
        { parallel: 2, wallMs: 160_000, code: 0, rows },
        { parallel: 4, wallMs: Number.NaN, code: null, rows: [], error: 'not measured: this dev check has no --parallel yet' },
      ]),
    ).toEqual([
      ['1', '4', '1', '300.0 s', '14.6 s', '1.00x'],
      ['2', '4', '1', '160.0 s', '14.6 s', '1.88x'],
      ['4', '-', '-', '-', '-', 'not measured: this dev check has no --parallel yet'],
    ]);
  });

  it('per solution: min, median, max over the repeats, and whether each was as expected', () => {
    expect(perSolutionTable(rows).rows).toEqual([
      ['redis-pubsub-notifier', 'reference', '3', '1.6', '1.7', '1.9', 'no (1 deviating)'],
      ['redis-pubsub-notifier', 'starter', '1', '9.4', '9.4', '9.4', 'yes'],
    ]);
  });
});

describe('the HTML report', () => {
  const result = (over: Partial<VariantResult>): VariantResult => ({
    broker: 'redis', variant: 'pubsub-pipeline', label: 'Pub/Sub, pipeline of 100 PUBLISH per round trip', size: 100, sent: 10_000, delivered: 10_000, lost: 0,
    sentPerSecond: 120_000, deliveredPerSecond: 118_000, mbPerSecond: 11.8, latencyMs: { p50: 0.4, p95: 5.6, p99: 7.1, max: 8.2 }, elapsedMs: 85,
    cpu: { wallMs: 85, self: 0.9, eventLoop: 0.95, children: 0, other: 0, cores: 2 }, ...over,
  });

  it('log axis ticks are powers of ten around the values', () => {
    expect(logTicks(950, 118_000)).toEqual([100, 1_000, 10_000, 100_000, 1_000_000]);
    expect(logTicks(0.4, 8.2)).toEqual([0.1, 1, 10]);
    expect(logTicks(5, 5)).toEqual([1, 10]);
  });

  it('is self-contained: the table, two inline SVG charts, nothing loaded from elsewhere, text escaped', () => {
    const html = benchHtml(
      {
        namespace: 'bl-bench-x',
        startedAt: '2026-11-22T04:00:00Z',
        results: [result({}), result({ broker: 'sqs', variant: 'one-by-one', label: 'SendMessage <one> per request', sentPerSecond: 950, deliveredPerSecond: 950 })],
      },
      '2 cores',
    );
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'");
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<th class="left">how the producer sends</th>');
    expect(html).toContain('118,000');
    expect(html).toContain('SendMessage &lt;one&gt; per request');
    expect(html).not.toMatch(/<script|<link rel="stylesheet"|src="http|href="http|url\(/);
  });
});

describe('cold start section', () => {
  it('status, down, up of everything, then down again of what was not running before (with a fake CLI: this test stops nothing)', async () => {
    const calls: string[] = [];
    const answers: Record<string, { stdout: string; wallMs: number }> = {
      'status --json': { stdout: JSON.stringify([{ name: 'redis', health: 'healthy' }, { name: 'kafka', health: 'healthy' }, { name: 'sqs', health: 'unreachable' }]), wallMs: 300 },
      'down --quiet': { stdout: '', wallMs: 7_000 },
      'up --json': {
        stdout: JSON.stringify([
          { name: 'redis', runtime: 'native', action: 'started', ms: 300 },
          { name: 'kafka', runtime: 'native', action: 'started', ms: 2_400 },
          { name: 'sqs', runtime: 'native', action: 'started', ms: 1_500 },
        ]),
        wallMs: 5_100,
      },
      'down --quiet sqs': { stdout: '', wallMs: 1_000 },
    };
    const section = await coldStartSection({ log: () => {} }, async (args) => {
      calls.push(args.join(' '));
      const answer = answers[args.join(' ')];
      if (!answer) throw new Error(`unexpected: brokerlab ${args.join(' ')}`);
      return { code: 0, stderr: '', ...answer };
    });
    expect(calls).toEqual(['status --json', 'down --quiet', 'up --json', 'down --quiet sqs']);
    expect(section.tables[0]!.rows).toEqual([
      ['redis', 'native', '0.3 s', '', ''],
      ['kafka', 'native', '2.4 s', '', ''],
      ['sqs', 'native', '1.5 s', '', ''],
      ['all (brokerlab up)', '', '5.1 s', '< 25.0 s', 'PASS'],
    ]);
    expect(section.notes).toContain('brokerlab down took 7.0 s.');
    expect(section.notes).toContain('Stopped again afterwards (not running before): sqs.');
  });
});
