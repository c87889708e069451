/**
 * A small worker pool: runs independent graded runs at the same time, at most `parallel` at
 * once, and returns their results in the order of `items` (not the order they finished), so
 * reports stay deterministic whatever the timing.
 *
 * Runs can share the brokers and the process because nothing of theirs is global: each one
 * works in its own namespace (a Redis key prefix, a RabbitMQ vhost, Kafka topics and groups
 * under a prefix; the namespace has a random part, so runs started in the same second differ),
 * its downstream HTTP servers listen on ports the OS picks, its learner processes are its own
 * process groups, and it has its own run directory. The runs directory's `latest` link and the
 * progress file are rewritten synchronously (no await in between), so concurrent runs cannot
 * interleave there: `latest` names the run finished last. Ctrl-C's signal is shared on purpose.
 *
 * Stopping: when `signal` aborts (Ctrl-C), no new item starts; the running ones see the same
 * signal themselves, clean up and settle, and only then does the pool throw InterruptedError,
 * so nothing is left running when the command exits. When a worker throws, no new item starts
 * either; the running ones finish and the first error is rethrown. A caller that wants every
 * item to run whatever happens catches inside its worker.
 *
 * Exclusive items (`exclusive(item)`: a scenario that restarts or pauses something the runs
 * share, such as a broker) run alone: one starts only when nothing else runs, and nothing
 * else starts while it runs.
 */
import { InterruptedError } from '../errors.js';

export async function runPool<T, R>(
  items: readonly T[],
  parallel: number,
  worker: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
  exclusive: (item: T) => boolean = () => false,
): Promise<R[]> {
  if (!Number.isInteger(parallel) || parallel < 1) throw new RangeError(`parallel must be a whole number >= 1, got ${parallel}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  let running = 0;
  let alone = false;
  /** Exclusive items waiting for the others to finish: nothing new starts meanwhile. */
  let soloWaiting = 0;
  let wake: Array<() => void> = [];
  const changed = () => {
    const waiting = wake;
    wake = [];
    for (const resolve of waiting) resolve();
  };
  /** Waits until the item may start and claims its slot in the same step (no await between
   *  the check and the claim, or two lanes could both see an empty pool). */
  const start = async (solo: boolean) => {
    if (solo) soloWaiting++;
    for (;;) {
      if (solo ? !alone && running === 0 : !alone && soloWaiting === 0) break;
      await new Promise<void>((resolve) => wake.push(resolve));
    }
    if (solo) {
      soloWaiting--;
      alone = true;
    }
    running++;
  };

  // One lane per slot; each lane takes the next item until none is left or the pool stops.
  const lane = async (): Promise<void> => {
    while (next < items.length && failure === undefined && !signal?.aborted) {
      const index = next++;
      const item = items[index] as T;
      const solo = exclusive(item);
      await start(solo);
      try {
        results[index] = await worker(item, index);
      } catch (error) {
        failure ??= { error };
      } finally {
        running--;
        if (solo) alone = false;
        changed();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, lane));

  if (signal?.aborted) throw failure?.error instanceof InterruptedError ? failure.error : new InterruptedError();
  if (failure !== undefined) throw failure.error;
  return results;
}
