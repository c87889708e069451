// `brokerlab watch`'s folder watcher, with a fake fs.watch: debouncing, ignored files, and
// the one-line reason when watching is impossible (ENOSPC) or breaks later.
import type { WatchListener } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type WatchFunction, watchFolder, watchFailureReason } from '../../src/cli/watcher.js';

function fakeWatch() {
  const state: { listener?: WatchListener<string>; onError?: (error: Error) => void; closed: boolean } = { closed: false };
  const watch: WatchFunction = (_dir, listener) => {
    state.listener = listener;
    return {
      close: () => void (state.closed = true),
      on: (_event: 'error', onError: (error: Error) => void) => void (state.onError = onError),
    };
  };
  return { watch, state };
}

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: System limit for number of file watchers reached, watch \'/w/exercises/x\''), { code: 'ENOSPC' });
}

describe('watchFolder', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('turns one save\'s burst of events into one call, after 300 ms of quiet', () => {
    const { watch, state } = fakeWatch();
    const saves: Array<string | undefined> = [];
    watchFolder('/w', (file) => saves.push(file), () => {}, { watch });
    // vim: writes 4913, then the swap file, then renames the new file over the old one.
    for (const name of ['4913', '.notifier.ts.swp', 'notifier.ts', 'notifier.ts~', 'notifier.ts']) state.listener?.('rename', name);
    vi.advanceTimersByTime(299);
    expect(saves).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(saves).toEqual(['notifier.ts']);
    state.listener?.('change', 'shop.ts');
    vi.advanceTimersByTime(300);
    expect(saves).toEqual(['notifier.ts', 'shop.ts']);
  });

  it('ignores editor temp files entirely', () => {
    const { watch, state } = fakeWatch();
    const saves: Array<string | undefined> = [];
    watchFolder('/w', (file) => saves.push(file), () => {}, { watch });
    for (const name of ['.notifier.ts.swp', '#notifier.ts#', 'notifier.ts___jb_tmp___', '__pycache__']) state.listener?.('change', name);
    vi.advanceTimersByTime(1_000);
    expect(saves).toEqual([]);
  });

  it('says nothing after close', () => {
    const { watch, state } = fakeWatch();
    const saves: Array<string | undefined> = [];
    const watcher = watchFolder('/w', (file) => saves.push(file), () => {}, { watch });
    state.listener?.('change', 'notifier.ts');
    if ('close' in watcher) watcher.close();
    vi.advanceTimersByTime(1_000);
    expect(saves).toEqual([]);
    expect(state.closed).toBe(true);
  });

  it('returns the reason when watching cannot start (the inotify limit), with how to raise it', () => {
    const started = watchFolder('/w', () => {}, () => {}, {
      watch: () => {
        throw enospc();
      },
    });
    expect(started).toEqual({ error: expect.stringContaining('ENOSPC: System limit for number of file watchers reached') });
    expect('error' in started && started.error).toContain('sudo sysctl fs.inotify.max_user_watches=524288');
  });

  it('reports a watcher that breaks later, once, and closes it', () => {
    const { watch, state } = fakeWatch();
    const failures: string[] = [];
    watchFolder('/w', () => {}, (reason) => failures.push(reason), { watch });
    state.onError?.(enospc());
    state.onError?.(enospc());
    expect(failures).toHaveLength(1);
    expect(state.closed).toBe(true);
  });
});

describe('watchFailureReason', () => {
  it('keeps other errors as they are', () => {
    expect(watchFailureReason(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }))).toBe('EACCES: permission denied');
  });
});
