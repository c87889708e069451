// The worker pool that runs graded runs side by side: order, limit, errors, Ctrl-C.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { type Claim, NO_CLAIM, conflicts, runPool } from '../../src/runner/pool.js';

/** A worker that records how many run at once; item n takes `delays[n]` ms. */
function tracked(delays: number[]) {
  const state = { running: 0, most: 0, started: [] as number[], finished: [] as number[] };
  const worker = async (item: number) => {
    state.started.push(item);
    state.running++;
    state.most = Math.max(state.most, state.running);
    await sleep(delays[item] ?? 0);
    state.running--;
    state.finished.push(item);
    return item * 10;
  };
  return { state, worker };
}

describe('runPool', () => {
  it('returns results in the order of the items, not the order they finished', async () => {
    const { state, worker } = tracked([40, 5, 20, 1]);
    expect(await runPool([0, 1, 2, 3], 4, worker)).toEqual([0, 10, 20, 30]);
    expect(state.finished).not.toEqual([0, 1, 2, 3]);
  });

  it('never runs more than `parallel` at once, and starts items in order', async () => {
    const { state, worker } = tracked([10, 10, 10, 10, 10, 10, 10]);
    await runPool([0, 1, 2, 3, 4, 5, 6], 2, worker);
    expect(state.most).toBe(2);
    expect(state.started).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('with parallel 1 runs one after the other', async () => {
    const { state, worker } = tracked([5, 1, 3]);
    await runPool([0, 1, 2], 1, worker);
    expect(state.most).toBe(1);
    expect(state.finished).toEqual([0, 1, 2]);
  });

  it('handles no items and more lanes than items', async () => {
    expect(await runPool([], 3, async () => 1)).toEqual([]);
    expect(await runPool(['a'], 8, async (s) => s.toUpperCase())).toEqual(['A']);
  });

  it('refuses a parallelism below 1', async () => {
    await expect(runPool([1], 0, async (n) => n)).rejects.toThrow(RangeError);
  });

  it('on an error starts nothing new, lets the running ones finish, then rethrows it', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = runPool([0, 1, 2, 3], 2, async (n) => {
      started.push(n);
      if (n === 0) throw new Error('boom');
      await sleep(20);
      finished.push(n);
      return n;
    });
    await expect(run).rejects.toThrow('boom');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([1]);
  });

  it('on abort starts nothing new, waits for the running ones to clean up, then throws InterruptedError', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const cleanedUp: number[] = [];
    const run = runPool(
      [0, 1, 2, 3, 4],
      2,
      async (n) => {
        started.push(n);
        // Like a graded run: it notices the abort, cleans up, and throws.
        await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
        await sleep(10);
        cleanedUp.push(n);
        throw new InterruptedError();
      },
      controller.signal,
    );
    await sleep(20);
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    expect(started).toEqual([0, 1]);
    expect(cleanedUp.sort()).toEqual([0, 1]);
  });

  it('an abort before the start runs nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    await expect(runPool([1, 2], 2, async () => (ran = true), controller.signal)).rejects.toBeInstanceOf(InterruptedError);
    expect(ran).toBe(false);
  });
});

describe('runPool: claims keep conflicting items apart', () => {
  it('conflicts: holding what the other uses, or holding all', () => {
    const rabbit = { uses: ['rabbitmq'], holds: [] };
    const restartsPostgres = { uses: ['postgres', 'rabbitmq'], holds: ['postgres'] };
    const usesPostgres = { uses: ['postgres'], holds: [] };
    const loadTest = { uses: ['rabbitmq'], holds: 'all' as const };
    expect(conflicts(rabbit, usesPostgres)).toBe(false);
    expect(conflicts(rabbit, restartsPostgres)).toBe(false);
    expect(conflicts(restartsPostgres, usesPostgres)).toBe(true);
    expect(conflicts(usesPostgres, restartsPostgres)).toBe(true);
    expect(conflicts(restartsPostgres, restartsPostgres)).toBe(true);
    expect(conflicts(loadTest, { uses: ['redis'], holds: [] })).toBe(true);
    expect(conflicts(NO_CLAIM, NO_CLAIM)).toBe(false);
  });

  it("never runs an item holding 'all' beside another, and still runs the rest side by side", async () => {
    let running = 0;
    let most = 0;
    const overlaps: string[] = [];
    const items = ['a', 'b', 'X', 'c', 'd', 'Y', 'e'];
    await runPool(
      items,
      3,
      async (item) => {
        running++;
        most = Math.max(most, running);
        if (item === item.toUpperCase() && running > 1) overlaps.push(item);
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (item === item.toUpperCase() && running > 1) overlaps.push(item);
        running--;
        return item;
      },
      undefined,
      (item) => (item === item.toUpperCase() ? { uses: [], holds: 'all' } : NO_CLAIM),
    );
    expect(overlaps).toEqual([]);
    expect(most).toBeGreaterThan(1);
  });

  it('runs a broker restart beside runs on other brokers, never beside runs on its broker, and starts it first', async () => {
    const claim: Record<string, Claim> = {
      r1: { uses: ['redis'], holds: [] },
      r2: { uses: ['redis'], holds: [] },
      p1: { uses: ['postgres'], holds: [] },
      P1: { uses: ['postgres'], holds: ['postgres'] },
      P2: { uses: ['postgres'], holds: ['postgres'] },
    };
    const live = new Set<string>();
    const together: string[] = [];
    const started: string[] = [];
    await runPool(
      ['r1', 'r2', 'p1', 'P1', 'P2'],
      2,
      async (item) => {
        started.push(item);
        live.add(item);
        together.push([...live].sort().join('+'));
        await sleep(15);
        live.delete(item);
        return item;
      },
      undefined,
      (item) => claim[item] as Claim,
    );
    // The restarts are serial chains: they go first, each beside a Redis run only.
    expect(started.slice(0, 2)).toEqual(['P1', 'r1']);
    for (const set of together) {
      const postgres = set.split('+').filter((name) => name.startsWith('p') || name.startsWith('P'));
      if (postgres.some((name) => name.startsWith('P'))) expect(postgres).toHaveLength(1);
    }
    expect(together.some((set) => set.includes('P') && set.includes('r'))).toBe(true);
  });
});
