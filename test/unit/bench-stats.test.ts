// The arithmetic of `brokerlab bench`: percentiles, rates, payloads, limits.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAP_MS, limitsFor } from '../../src/bench/measure.js';
import { MIN_SIZE, makePayload, makeTemplate, seqOf } from '../../src/bench/payload.js';
import { median, megabytesPerSecond, perSecond, summarizeLatencies } from '../../src/bench/stats.js';

describe('latency percentiles', () => {
  it('uses the nearest rank, like the graded latency check', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(summarizeLatencies(samples)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('a single sample is every percentile; none gives nothing', () => {
    expect(summarizeLatencies([4.2])).toEqual({ p50: 4.2, p95: 4.2, p99: 4.2, max: 4.2 });
    expect(summarizeLatencies([])).toBeUndefined();
  });

  it('does not reorder the caller\'s array', () => {
    const samples = [3, 1, 2];
    summarizeLatencies(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('rates', () => {
  it('messages per second and MB/s (10^6 bytes)', () => {
    expect(perSecond(20_000, 2_000)).toBe(10_000);
    expect(perSecond(0, 1_000)).toBe(0);
    expect(perSecond(10, 0)).toBe(0);
    expect(megabytesPerSecond(10_000, 1024)).toBeCloseTo(10.24);
  });

  it('median is a measured value (the lower middle for an even count)', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([])).toBeNaN();
  });
});

describe('payloads', () => {
  it('are exactly the size asked, ASCII, starting with the sequence number', () => {
    const template = makeTemplate(MIN_SIZE);
    const payload = makePayload(123456789012345, template);
    expect(payload.length).toBe(MIN_SIZE);
    expect(payload.toString('latin1')).toBe('123456789012345 ');
    expect(makePayload(7, makeTemplate(20)).toString('latin1')).toBe('7 ..................');
    expect(template.toString('latin1')).toBe('.'.repeat(MIN_SIZE)); // the template is not written to
  });

  it('give back their sequence number, from a Buffer or a string; foreign messages give none', () => {
    expect(seqOf(makePayload(42, makeTemplate(100)))).toBe(42);
    expect(seqOf('0 ....')).toBe(0);
    expect(seqOf('hello world')).toBeUndefined();
    expect(seqOf(' 12')).toBeUndefined();
    expect(seqOf('12')).toBeUndefined();
  });
});

describe('limits of a variant', () => {
  it('default: the broker\'s count, capped in time', () => {
    expect(limitsFor(10_000, {})).toEqual({ messages: 10_000, durationMs: DEFAULT_CAP_MS });
  });
  it('--messages alone is exact; --duration alone is unbounded in count; both: whichever first', () => {
    expect(limitsFor(10_000, { messages: 2_000 })).toEqual({ messages: 2_000 });
    expect(limitsFor(10_000, { durationMs: 5_000 })).toEqual({ durationMs: 5_000 });
    expect(limitsFor(10_000, { messages: 50, durationMs: 5_000 })).toEqual({ messages: 50, durationMs: 5_000 });
  });
});
