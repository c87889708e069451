// The proof that every pilot grades correctly against the real brokers: each starter fails,
// each reference passes, each wrong solution fails on the check it is meant to trip.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { cli } from '../helpers.js';
import { leftovers } from './leftovers.js';

interface Row {
  exercise: string;
  solution: string;
  expected: string;
  got: string;
  ok: boolean;
  deviation?: string;
}

describe('brokerlab dev check', () => {
  it.each(loadCatalog().map((e) => e.scenario.id))('%s: starter fails, reference passes, every wrong solution fails on its check, for the cause it shows', async (exercise) => {
    // Names left by something else before this check (a run killed earlier) are not its doing.
    const before = new Set(await leftovers());
    const r = await cli(['dev', 'check', exercise, '--json', '--parallel', '2']);
    const report = JSON.parse(r.stdout) as { runs: number; deviations: number; rows: Row[] };
    const deviations = report.rows.filter((row) => !row.ok).map((row) => `${row.solution}: ${row.deviation}`);
    expect(deviations).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.runs).toBeGreaterThanOrEqual(7); // starter, reference, five wrong solutions at least
    // Every run deletes its namespace: no keys, vhosts, topics or groups are left behind.
    expect((await leftovers()).filter((name) => !before.has(name))).toEqual([]);
  });
});
