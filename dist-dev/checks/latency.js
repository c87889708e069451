/**
 * latency
 *
 * Definitions:
 * - latency of a key: time from its `produce` (ok) to its first `delivered` (ok).
 * - pN: the N-th percentile by the nearest-rank method over all delivered keys.
 * Keys never delivered are the business of no-lost-messages, not of this check.
 */
import { num, select, selector, str } from './types.js';
export function percentile(sortedMs, p) {
    if (sortedMs.length === 0)
        return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * sortedMs.length));
    return sortedMs[rank - 1] ?? Number.NaN;
}
export const latency = {
    name: 'latency',
    parseParams: (raw) => ({
        subject: str(raw, 'subject'),
        sent: selector(raw, 'sent'),
        delivered: selector(raw, 'delivered'),
        percentile: num(raw, 'percentile', 99),
        maxMs: num(raw, 'maxMs'),
    }),
    run(history, p) {
        const sentAt = new Map();
        for (const op of select(history, p.sent, 'ok'))
            if (op.key && !sentAt.has(op.key))
                sentAt.set(op.key, op.t);
        const latencies = [];
        const seen = new Set();
        for (const op of select(history, p.delivered, 'ok')) {
            if (!op.key || seen.has(op.key))
                continue;
            seen.add(op.key);
            const t0 = sentAt.get(op.key);
            if (t0 !== undefined)
                latencies.push(op.t - t0);
        }
        latencies.sort((a, b) => a - b);
        const value = percentile(latencies, p.percentile);
        const title = `${p.subject[0]?.toUpperCase()}${p.subject.slice(1)}s arrive promptly`;
        const expected = `p${p.percentile} latency at most ${p.maxMs} ms`;
        if (latencies.length === 0) {
            return { title, status: 'unknown', expected, observed: 'nothing arrived, so latency could not be measured', examples: [] };
        }
        const summary = `p50 ${percentile(latencies, 50)} ms, p${p.percentile} ${value} ms, max ${latencies.at(-1)} ms over ${latencies.length}`;
        return {
            title,
            status: value <= p.maxMs ? 'pass' : 'fail',
            expected,
            observed: summary,
            examples: [],
        };
    },
};
//# sourceMappingURL=latency.js.map