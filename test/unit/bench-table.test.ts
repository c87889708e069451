// Tables and number formats of the benchmark output.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatCpu, formatMs, formatRatio, formatSeconds, markdownTable, textTable } from '../../src/bench/table.js';

const columns = [{ header: 'broker' }, { header: 'msg/s', align: 'right' as const }, { header: 'note' }];
const rows = [
  ['Redis', '120,000', 'pipelined'],
  ['SQS (ElasticMQ)', '950', ''],
];

describe('tables', () => {
  it('plain text: padded columns, numbers right-aligned, a dashed rule, no trailing spaces', () => {
    expect(textTable(columns, rows)).toBe(
      ['broker             msg/s  note', '---------------  -------  ---------', 'Redis            120,000  pipelined', 'SQS (ElasticMQ)      950'].join('\n'),
    );
  });

  it('Markdown: the same cells, right-aligned columns marked, pipes escaped', () => {
    expect(markdownTable(columns, [...rows, ['a|b', '1', 'x']])).toBe(
      [
        '| broker | msg/s | note |',
        '|---|---:|---|',
        '| Redis | 120,000 | pipelined |',
        '| SQS (ElasticMQ) | 950 |  |',
        '| a\\|b | 1 | x |',
      ].join('\n'),
    );
  });
});

describe('formats', () => {
  it('counts with thousands separators; small fractions keep a decimal', () => {
    expect(formatCount(1234567.8)).toBe('1,234,568');
    expect(formatCount(950)).toBe('950');
    expect(formatCount(42.46)).toBe('42.5');
    expect(formatCount(Number.NaN)).toBe('-');
  });

  it('milliseconds', () => {
    expect(formatMs(0.423)).toBe('0.42 ms');
    expect(formatMs(4.23)).toBe('4.2 ms');
    expect(formatMs(42.3)).toBe('42 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(undefined)).toBe('-');
  });

  it('seconds, bytes, CPU and ratios', () => {
    expect(formatSeconds(2345)).toBe('2.3 s');
    expect(formatBytes(100)).toBe('100 B');
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1.5 * 1024 ** 2)).toBe('1.5 MiB');
    expect(formatBytes(900 * 1024 ** 2)).toBe('900 MiB');
    expect(formatBytes(2.5 * 1024 ** 3)).toBe('2.50 GiB');
    expect(formatCpu(0.973)).toBe('97%');
    expect(formatCpu(1.6)).toBe('160%');
    expect(formatCpu(undefined)).toBe('n/a');
    expect(formatRatio(0.4567)).toBe('0.46');
    expect(formatRatio(undefined)).toBe('-');
  });
});
