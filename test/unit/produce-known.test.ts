// The producer block over a fake inlet: a message is known to the lab's services (its tags)
// from before it is published, so a call about it that comes before the broker's confirm
// (and the recorded produce) is not answered 404.
import { describe, expect, it } from 'vitest';
import { replyByRules } from '../../src/runner/downstream.js';
import { HistoryRecorder } from '../../src/runner/history.js';
import { producer } from '../../src/workloads/blocks/produce.js';

describe('producer', () => {
  it('makes a message known before it is published, and records it once the broker took it', async () => {
    const history = new HistoryRecorder();
    const seenWhilePublishing: unknown[] = [];
    const jobs = producer(
      { history, registerInlet: () => {} },
      {
        stream: 'invoices',
        inlets: {
          invoices: async (m) => {
            // The program got it and called before the confirm came back.
            seenWhilePublishing.push(history.known(m.key)?.value, history.produced(m.key));
          },
        },
      },
    );
    expect(history.known('invoice-1')).toBeUndefined();
    expect(await jobs.send('invoice-1', { amountCents: 5 }, { tags: ['flaky'] })).toBe(true);
    expect(seenWhilePublishing).toEqual([{ amountCents: 5, tags: ['flaky'] }, undefined]);
    expect(history.produced('invoice-1')?.value).toEqual({ amountCents: 5, tags: ['flaky'] });
    expect(history.known('invoice-1')?.value).toEqual({ amountCents: 5, tags: ['flaky'] });
  });

  it('the rules answer a key known only as being published by its tags, an unknown key 404', () => {
    const history = new HistoryRecorder();
    history.sending('invoice-2', { tags: ['flaky'] });
    const tags = (key: string) => (history.known(key)?.value as { tags?: string[] } | undefined)?.tags;
    expect(replyByRules(tags('invoice-2'), 1, { failures: { flaky: 'first-503' } }, 'invoice-2').status).toBe(503);
    expect(replyByRules(tags('invoice-3'), 1, { failures: { flaky: 'first-503' } }, 'invoice-3').status).toBe(404);
  });
});
