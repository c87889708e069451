/**
 * The producer block: what it records for each way of sending, and what it hands to the
 * inlets that `duplicate` and `poison` faults use.
 */
import { describe, expect, it } from 'vitest';
import type { Inlet } from '../../src/faults/types.js';
import { HistoryRecorder } from '../../src/runner/history.js';
import { producer } from '../../src/workloads/blocks/produce.js';

function context() {
  const history = new HistoryRecorder();
  const inlets = new Map<string, Inlet>();
  return { history, inlets, registerInlet: (name: string, inlet: Inlet) => void inlets.set(name, inlet) };
}

const values = (ctx: ReturnType<typeof context>) => ctx.history.history.map((op) => ({ outcome: op.outcome, key: op.key, value: op.value }));

describe('producer', () => {
  it('records the body, record, what the send reported and the tags, once the broker took it', async () => {
    const ctx = context();
    const orders = producer(ctx, { stream: 'orders', inlets: { orders: async () => ({ recorded: { receivers: 2 } }) } });
    expect(await orders.send('o-1', { orderId: 'o-1' }, { tags: ['vip'], record: { round: 1 } })).toBe(true);
    expect(values(ctx)).toEqual([{ outcome: 'ok', key: 'o-1', value: { orderId: 'o-1', round: 1, receivers: 2, tags: ['vip'] } }]);
    // A fault's copy lands where the broker says; the workload's own fields are not its.
    expect(await ctx.inlets.get('orders')?.resend('o-1')).toEqual({});
  });

  it('records first when asked, and a refused send as failed after it', async () => {
    const ctx = context();
    const seen: number[] = [];
    const orders = producer(ctx, {
      stream: 'orders',
      inlets: {
        orders: async () => {
          seen.push(ctx.history.history.length);
          throw new Error('refused');
        },
      },
    });
    expect(await orders.send('o-1', { orderId: 'o-1' }, { record: { phase: 1 }, recordFirst: true })).toBe(false);
    expect(seen).toEqual([1]);
    expect(values(ctx)).toEqual([
      { outcome: 'ok', key: 'o-1', value: { orderId: 'o-1', phase: 1, tags: [] } },
      { outcome: 'fail', key: 'o-1', value: { phase: 1, error: 'Error: refused', tags: [] } },
    ]);
    expect(ctx.inlets.get('orders')?.sentKeys()).toEqual([]);
  });

  it('sends a burst with one command, then records and remembers each message', async () => {
    const ctx = context();
    const pushed: string[][] = [];
    const jobs = producer(ctx, { stream: 'jobs', inlets: { jobs: async () => {} } });
    const ok = await jobs.sendBurst(
      [
        { key: 'j-1', body: { jobId: 'j-1' }, options: { tags: ['slow'], record: { burst: 1 } } },
        { key: 'j-2', body: { jobId: 'j-2' }, options: { record: { burst: 1 } } },
      ],
      async (messages) => void pushed.push(messages.map((m) => m.body.toString())),
    );
    expect(ok).toBe(true);
    expect(pushed).toEqual([['{"jobId":"j-1"}', '{"jobId":"j-2"}']]);
    expect(values(ctx)).toEqual([
      { outcome: 'ok', key: 'j-1', value: { jobId: 'j-1', burst: 1, tags: ['slow'] } },
      { outcome: 'ok', key: 'j-2', value: { jobId: 'j-2', burst: 1, tags: [] } },
    ]);
    expect(ctx.inlets.get('jobs')?.sentKeys()).toEqual(['j-1', 'j-2']);
    expect(ctx.inlets.get('jobs')?.bodyOf('j-2')?.toString()).toBe('{"jobId":"j-2"}');
    expect(jobs.inFlight()).toBe(0);
  });
});
