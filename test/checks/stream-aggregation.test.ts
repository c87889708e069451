// Unit tests of windowed-aggregates (checks/windows.ts) over literal histories.
import { describe, expect, it } from 'vitest';
import { windowedAggregates } from '../../src/checks/windows.js';
import type { Operation } from '../../src/runner/history.js';

const params = { sales: { kind: 'produce', stream: 'sales' }, results: { kind: 'consume', stream: 'windows' }, windowMs: 10_000, graceMs: 5_000 } as const;
const SENT_AT = 1_800_000_000_000;

let offset = 0;
const sale = (saleId: string, product: string, eventTime: number, amountCents: number, tags: string[] = []): Operation => {
  const at = offset++;
  return { t: at * 10, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'sales', key: saleId, partition: 0, offset: String(at), value: { saleId, product, amountCents, eventTime, sentAt: SENT_AT + at, tags } };
};
const kill: Operation = { t: 55, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', phase: 'start', instance: 1 } };

/**
 * The sales: window 0 has a, out of order, and a copy of s1; b at exactly 10 000 (window 1);
 * s5 comes after window 0 closed (late); the kill falls while window 1 is open.
 * Right: a@0 2 sales 400, b@10000 1 sale 200, a@10000 2 sales 1100; a@30000 still open.
 */
function salesHistory(): Operation[] {
  offset = 0;
  return [
    sale('s1', 'a', 1_000, 100, ['prefill']),
    sale('s2', 'b', 10_000, 200, ['prefill']),
    sale('s3', 'a', 4_000, 300, ['prefill']),
    sale('s1', 'a', 1_000, 100, ['duplicate']),
    sale('s4', 'a', 16_000, 400),
    sale('s5', 'b', 9_000, 500),
    kill,
    sale('s7', 'a', 12_000, 700),
    sale('s6', 'a', 30_000, 600),
  ];
}

const result = (t: number, product: string, windowStart: number, count: number, sumCents: number): Operation => {
  const json = { product, windowStart, windowEnd: windowStart + 10_000, count, sumCents };
  return { t, process: 'lab', kind: 'consume', outcome: 'ok', stream: 'windows', key: `${product}@${windowStart}`, value: { text: JSON.stringify(json), json } };
};
const right = (): Operation[] => [result(100, 'a', 0, 2, 400), result(101, 'b', 10_000, 1, 200), result(102, 'a', 10_000, 2, 1_100)];
const run = (ops: Operation[]) => windowedAggregates.run([...salesHistory(), ...ops], params);

describe('windowed-aggregates', () => {
  it('passes when every closed window has its count and sum, earlier updates and an open window aside', () => {
    const r = run([result(90, 'a', 0, 1, 100), ...right(), result(103, 'a', 30_000, 1, 600)]);
    expect(r.status).toBe('pass');
    expect(r.observed).toBe('all 3 closed windows (2 products) have the right count and sum');
  });
  it('is unknown without sales', () => {
    expect(windowedAggregates.run([], params).status).toBe('unknown');
  });
  it('names missing windows when nothing was written', () => {
    const r = run([]);
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('missing-windows');
    expect(r.observed).toBe('3 of 3 closed windows had no result');
  });
  it('tells a copy counted twice', () => {
    const r = run([result(100, 'a', 0, 3, 500), ...right().slice(1)]);
    expect(r.cause).toBe('duplicates-counted');
    expect(r.examples[0]).toMatch(/^a@0 \[00:00:00.000, 00:00:10.000\): expected count 2, sum 400, the latest result says count 3, sum 500/);
  });
  it('tells a late sale counted', () => {
    expect(run([...right(), result(104, 'b', 0, 1, 500)]).cause).toBe('late-counted');
  });
  it('tells a sale at exactly the end counted in the ending window', () => {
    expect(run([result(100, 'a', 0, 2, 400), result(101, 'b', 0, 1, 200), result(102, 'a', 10_000, 2, 1_100)]).cause).toBe('inclusive-end');
  });
  it('tells an out-of-order sale within the grace period dropped', () => {
    expect(run([result(100, 'a', 0, 1, 100), ...right().slice(1)]).cause).toBe('in-grace-dropped');
  });
  it('tells windows aligned to the first sale', () => {
    expect(run([result(100, 'a', 1_000, 2, 400), result(100, 'b', 1_000, 1, 200), result(100, 'a', 11_000, 2, 1_100)]).cause).toBe('aligned-to-first-event');
  });
  it('tells the sales on the topic before the start missed', () => {
    expect(run([result(100, 'a', 0, 1, 100), result(102, 'a', 10_000, 2, 1_100)]).cause).toBe('missed-first');
  });
  it('tells windows by arrival time', () => {
    const r = run([result(100, 'a', SENT_AT - (SENT_AT % 10_000), 6, 2_100), result(100, 'b', SENT_AT - (SENT_AT % 10_000), 2, 700)]);
    expect(r.cause).toBe('arrival-time');
    expect(r.observed).toBe('3 of 3 closed windows had no result; 2 results for windows no sale falls in');
  });
  it('tells counts of a window open at the kill lost', () => {
    const r = run([...right().slice(0, 2), result(102, 'a', 10_000, 1, 700)]);
    expect(r.cause).toBe('lost-at-restart');
    expect(r.examples.at(-1)).toBe('your program was killed at 0.1s and restarted; open then: a@10000');
    expect(r.examples[0]).toMatch(/^a@10000 .*expected count 2, sum 1100, the latest result says count 1, sum 700$/);
  });
  it('tells a stream time kept per product', () => {
    offset = 0;
    // b's sale closes window 0 for the stream; a's later sale of window 0 is late, but not by
    // a's own clock; b's window never closes by b's own clock.
    const sales = [sale('x', 'a', 1_000, 100), sale('y', 'b', 17_000, 200), sale('z', 'a', 2_000, 300), sale('w', 'a', 40_000, 400)];
    const r = windowedAggregates.run([...sales, result(100, 'a', 0, 2, 400)], params);
    expect(r.cause).toBe('stream-time-per-product');
    expect(r.observed).toBe('1 of 2 closed windows had no result; 1 of 2 closed windows had another count or sum');
  });
  it('names a result with count 0 first, and never calls it lost at the restart', () => {
    const r = run([...right().slice(0, 2), result(102, 'a', 10_000, 0, 0)]);
    expect(r.cause).toBe('zero-count');
    expect(r.examples.at(-1)).toBe('results with count 0: a@10000');
  });
  it('tells results where no sale belongs as misplaced windows', () => {
    expect(run([...right(), result(104, 'b', 20_000, 1, 200)]).cause).toBe('misplaced-windows');
  });
  it('tells results that could not be read, not missing windows, when nothing else was written', () => {
    const bad = (product: string, windowStart: number): Operation => {
      const json = { product, windowStart, windowEnd: windowStart + 9_999, count: 1, sumCents: 1 };
      return { t: 100, process: 'lab', kind: 'consume', outcome: 'ok', stream: 'windows', key: `${product}@${windowStart}`, value: { text: JSON.stringify(json), json } };
    };
    expect(run([bad('a', 0), bad('b', 10_000)]).cause).toBe('unreadable-results');
  });
  it('tells a closed window written right before the kill and wrong after the restart', () => {
    // a@0 closed (s4 at 16 000) before the kill at 55; right at 50, rewritten wrong at 100.
    const r = run([result(50, 'a', 0, 2, 400), result(100, 'a', 0, 1, 300), ...right().slice(1)]);
    expect(r.cause).toBe('rewritten-after-restart');
    expect(r.examples.at(-1)).toBe('your program was killed at 0.1s and restarted; closed and right before then: a@0');
  });
  it('tells a window closed only once stream time is past its end + grace', () => {
    offset = 0;
    // y brings stream time to exactly 15 000: window 0 closes, so z is late; with > it counts.
    const sales = [sale('x', 'a', 1_000, 100), sale('y', 'b', 15_000, 200), sale('z', 'a', 2_000, 300), sale('w', 'a', 40_000, 400)];
    const r = windowedAggregates.run([...sales, result(100, 'a', 0, 2, 400), result(101, 'b', 10_000, 1, 200)], params);
    expect(r.cause).toBe('closes-past-boundary');
    expect(r.examples.at(-1)).toBe("stream time reached exactly a window's end + 5 s with b at 00:00:15.000: that window was closed then");
  });
  it('reads a result with a wrong key or shape as unreadable', () => {
    const bad: Operation = { t: 100, process: 'lab', kind: 'consume', outcome: 'ok', stream: 'windows', key: 'a', value: { text: '{"product":"a","windowStart":0,"windowEnd":10000,"count":2,"sumCents":400}', json: { product: 'a', windowStart: 0, windowEnd: 10_000, count: 2, sumCents: 400 } } };
    const r = run([bad, ...right().slice(1)]);
    expect(r.status).toBe('fail');
    expect(r.examples).toContain('unreadable result: key a: {"product":"a","windowStart":0,"windowEnd":10000,"count":2,"sumCents":400} (the key must be "a@0")');
  });
});
