/**
 * The drain: wait, bounded, until the run's outputs have settled. It ends on the first of:
 * - done: everything the workload waits for happened (all processed, all dead-lettered);
 * - quiet: nothing changed for `quietMs` (lost messages never will arrive, so a wrong
 *   solution gets its verdict in seconds instead of at the bound). Time while a fault is
 *   active (a held call, a killed program not yet restarted) does not count as quiet;
 * - the bound (`timeoutMs`, the scenario's drainMs), or the run was aborted.
 */
import { QuietClock, type WorkloadContext, sleep } from '../types.js';

export interface DrainOptions {
  /** True when everything awaited has happened. */
  done: () => boolean | Promise<boolean>;
  /** A fingerprint of the run's progress ("42 done, 3 dead-lettered"): quiet while it stands still. */
  progress: () => string | Promise<string>;
  quietMs: number;
  /** Default: the scenario's drainMs. */
  timeoutMs?: number;
  intervalMs?: number;
}

export type DrainEnd = 'done' | 'quiet' | 'timeout' | 'aborted';

export async function drain(ctx: Pick<WorkloadContext, 'signal' | 'timeouts' | 'faultActive'>, options: DrainOptions): Promise<DrainEnd> {
  const quiet = new QuietClock();
  const deadline = Date.now() + (options.timeoutMs ?? ctx.timeouts.drainMs);
  while (!ctx.signal.aborted) {
    if (!ctx.faultActive() && (await options.done())) return 'done';
    if (quiet.quietFor(await options.progress(), !ctx.faultActive()) > options.quietMs) return 'quiet';
    if (Date.now() >= deadline) return 'timeout';
    await sleep(options.intervalMs ?? 100, ctx.signal);
  }
  return 'aborted';
}
