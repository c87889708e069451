/**
 * A workload is what the lab does with the brokers during a graded run: it prepares the
 * run's namespace, tells the learner's program where things are (env), drives traffic,
 * samples broker state, and cleans up. It records everything in the history; it never
 * judges (checks do that).
 */
import { randomBytes } from 'node:crypto';
/** Thrown by `awaitReady` when the learner's program never became ready: the run stops
 *  and the learner sees this message as the failing "ready" check. */
export class LearnerNotReadyError extends Error {
    hint;
    constructor(message, hint) {
        super(message);
        this.hint = hint;
    }
}
/** Resolves after `ms`, or at once when the run is aborted. */
function sleep(ms, signal) {
    return new Promise((resolve) => {
        const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
    });
}
export { sleep };
/**
 * How long the run's progress has stood still. A drain can end once nothing has happened for
 * a while: lost messages never will arrive, and a wrong solution then gets its verdict in
 * seconds instead of at the drain's bound.
 */
export class QuietClock {
    last;
    since = Date.now();
    /** Records the progress now ("42 done"); while `counting` is false the clock stays at 0. */
    quietFor(progress, counting = true) {
        if (progress !== this.last || !counting) {
            this.last = progress;
            this.since = Date.now();
        }
        return Date.now() - this.since;
    }
    /** Starts over, e.g. when a new phase sends new messages. */
    reset() {
        this.last = undefined;
        this.since = Date.now();
    }
}
/**
 * The id of the n-th message a workload sends: "task-0031-9f2c1a". The number keeps ids
 * readable and sortable in reports; the random part, different for every message, means a
 * program can only report work on messages it really received: it cannot make up the id
 * of one it lost (task-0031) and call the lab's downstream API for it.
 */
export function messageId(prefix, n) {
    return `${prefix}-${String(n).padStart(4, '0')}-${randomBytes(3).toString('hex')}`;
}
/** Polls `condition` every `intervalMs` until it is true (returns true) or `timeoutMs`
 *  passes or the run is aborted (returns false). */
export async function waitUntil(condition, timeoutMs, signal, intervalMs = 100) {
    const deadline = Date.now() + timeoutMs;
    while (!signal.aborted) {
        if (await condition())
            return true;
        if (Date.now() >= deadline)
            return false;
        await sleep(intervalMs, signal);
    }
    return false;
}
/** Repeats `sample` every `intervalMs` in the background until stopped. */
export function every(intervalMs, signal, sample) {
    let stopped = false;
    const loop = (async () => {
        while (!stopped && !signal.aborted) {
            try {
                await sample();
            }
            catch {
                // A failed sample is just a missing observation; checks treat missing as unknown.
            }
            await sleep(intervalMs, signal);
        }
    })();
    return async () => {
        stopped = true;
        await loop;
    };
}
// --- option parsing (shared by workloads) -------------------------------------------------
export function intOption(raw, field, fallback) {
    const v = raw[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        throw new Error(`"${field}" must be a whole number >= 0`);
    return v;
}
//# sourceMappingURL=types.js.map