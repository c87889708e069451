// withDeadline: a request bounded by the run's signal and a timeout, without leaving a
// listener on the run's signal (AbortSignal.any() on Node 20 did, hundreds per run).
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { withDeadline } from '../../src/workloads/types.js';

/** A request that only ends when its signal aborts, as fetch does (at once if it already has). */
const never = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });

describe('withDeadline', () => {
  it('returns what the request returns and leaves no listener on the run signal', async () => {
    const run = new AbortController();
    for (let i = 0; i < 50; i++) expect(await withDeadline(run.signal, 1_000, async () => i)).toBe(i);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('aborts the request with a TimeoutError after the timeout', async () => {
    const run = new AbortController();
    await expect(withDeadline(run.signal, 20, never)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('aborts the request when the run is aborted, before or during it', async () => {
    const run = new AbortController();
    const pending = withDeadline(run.signal, 5_000, never);
    run.abort(new Error('run over'));
    await expect(pending).rejects.toThrow('run over');
    await expect(withDeadline(run.signal, 5_000, never)).rejects.toThrow('run over');
  });
});
