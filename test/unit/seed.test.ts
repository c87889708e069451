// The run's seed: the same seed gives the same schedule; streams are independent.
import { describe, expect, it } from 'vitest';
import { Random, parseSeed } from '../../src/runner/seed.js';

const draw = (r: Random, n = 5) => Array.from({ length: n }, () => r.int(0, 1000));

describe('seed', () => {
  it('replays: the same seed and stream give the same draws', () => {
    expect(draw(new Random(42, 'downstream:ledger-api'))).toEqual(draw(new Random(42, 'downstream:ledger-api')));
  });
  it('differs by seed and by stream', () => {
    expect(draw(new Random(42, 'a'))).not.toEqual(draw(new Random(43, 'a')));
    expect(draw(new Random(42, 'a'))).not.toEqual(draw(new Random(42, 'b')));
  });
  it('draws whole numbers within the bounds, spread over them', () => {
    const r = new Random(7, 'x');
    const values = Array.from({ length: 2000 }, () => r.int(10, 40));
    expect(Math.min(...values)).toBe(10);
    expect(Math.max(...values)).toBe(40);
  });
  it('parses --seed: whole numbers 0 to 2^32-1, nothing else', () => {
    expect(parseSeed('0')).toBe(0);
    expect(parseSeed('4294967295')).toBe(4294967295);
    for (const bad of ['-1', '1.5', 'abc', '4294967296', '']) expect(() => parseSeed(bad)).toThrow('must be a whole number from 0 to 4294967295');
  });
});
