/**
 * The history of one graded run: every operation the lab performed or observed, in order.
 * Checks are pure functions over it, so a verdict can always be recomputed from the saved
 * history.jsonl in the run directory.
 *
 * Definitions (as in Jepsen/Maelstrom):
 * - operation: one thing that happened at time `t` (ms since the run started) in `process`.
 * - outcome "ok": it certainly happened; "fail": it certainly did not; "info": unknown
 *   (e.g. a downstream call whose caller was killed before it got the answer).
 */
/** Appends operations with run-relative timestamps. One per run. */
export class HistoryRecorder {
    started = performance.now();
    ops = [];
    producedByKey = new Map();
    listeners = new Set();
    record(op) {
        const full = { t: Math.round(performance.now() - this.started), ...op };
        this.ops.push(full);
        if (full.kind === 'produce' && full.key !== undefined && !this.producedByKey.has(full.key))
            this.producedByKey.set(full.key, full);
        for (const listener of this.listeners)
            listener(full);
        return full;
    }
    /** The lab's first `produce` of this key (what it sent, with its tags), if any. */
    produced(key) {
        return this.producedByKey.get(key);
    }
    /** Calls `listener` with every operation recorded from now on; returns how to stop. */
    subscribe(listener) {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }
    now() {
        return Math.round(performance.now() - this.started);
    }
    get history() {
        return this.ops;
    }
}
//# sourceMappingURL=history.js.map