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
 * Claims (`claimOf(item)`): what an item uses (brokers, Kafka's one proxy) and what it holds,
 * i.e. disturbs for everyone using it (a broker it restarts), or 'all' (a load test that
 * measures this machine). Two items conflict when one holds something the other uses, or
 * either holds 'all'; conflicting items never run at the same time. A free slot takes the
 * first waiting item that conflicts with nothing running, preferring items that hold
 * something (each such item is a serial chain: started early, it overlaps with the rest); an
 * item holding 'all' therefore starts when nothing else is left to run beside it.
 */
import { InterruptedError } from '../errors.js';

export interface Claim {
  uses: readonly string[];
  holds: readonly string[] | 'all';
}

export const NO_CLAIM: Claim = { uses: [], holds: [] };

/** True when two claims keep their items apart. */
export function conflicts(a: Claim, b: Claim): boolean {
  if (a.holds === 'all' || b.holds === 'all') return true;
  return a.holds.some((r) => b.uses.includes(r)) || b.holds.some((r) => a.uses.includes(r));
}

export async function runPool<T, R>(
  items: readonly T[],
  parallel: number,
  worker: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
  claimOf: (item: T) => Claim = () => NO_CLAIM,
): Promise<R[]> {
  if (!Number.isInteger(parallel) || parallel < 1) throw new RangeError(`parallel must be a whole number >= 1, got ${parallel}`);
  const results = new Array<R>(items.length);
  const claims = items.map((item) => claimOf(item));
  const waiting = items.map((_, index) => index);
  const running = new Set<number>();
  let failure: { error: unknown } | undefined;

  return new Promise<R[]>((resolve, reject) => {
    const settle = () => {
      if (running.size > 0) return;
      if (signal?.aborted) reject(failure?.error instanceof InterruptedError ? failure.error : new InterruptedError());
      else if (failure !== undefined) reject(failure.error);
      else resolve(results);
    };
    const startable = (index: number) => [...running].every((other) => !conflicts(claims[index] as Claim, claims[other] as Claim));
    const holdsSome = (index: number) => {
      const holds = (claims[index] as Claim).holds;
      return holds !== 'all' && holds.length > 0;
    };
    /** Fills free slots; called at the start and whenever an item finishes. */
    const fill = () => {
      while (running.size < parallel && waiting.length > 0 && failure === undefined && !signal?.aborted) {
        const pick = waiting.find((index) => holdsSome(index) && startable(index)) ?? waiting.find((index) => startable(index));
        if (pick === undefined) break;
        waiting.splice(waiting.indexOf(pick), 1);
        running.add(pick);
        // A worker that throws synchronously still settles through the promise chain.
        void Promise.resolve()
          .then(() => worker(items[pick] as T, pick))
          .then(
            (result) => {
              results[pick] = result;
            },
            (error: unknown) => {
              failure ??= { error };
            },
          )
          .finally(() => {
            running.delete(pick);
            fill();
            settle();
          });
      }
    };
    fill();
    settle();
  });
}
