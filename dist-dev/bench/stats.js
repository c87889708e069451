/**
 * The arithmetic of a benchmark: latency percentiles, rates, medians. Pure functions over
 * plain numbers, so they are tested with literal data (test/unit/bench-stats.test.ts).
 */
import { percentile } from '../checks/latency.js';
/**
 * p50/p95/p99 by the nearest-rank method (the same definition the graded latency check uses,
 * so a learner sees one meaning of "p99" everywhere), and the maximum. Undefined for no samples.
 */
export function summarizeLatencies(samplesMs) {
    if (samplesMs.length === 0)
        return undefined;
    const sorted = [...samplesMs].sort((a, b) => a - b);
    return {
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] ?? Number.NaN,
    };
}
/** Messages per second for `count` messages over `elapsedMs`; 0 when nothing was timed. */
export function perSecond(count, elapsedMs) {
    return count > 0 && elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}
/** Payload megabytes (10^6 bytes, as in "MB/s" on a network card) per second. */
export function megabytesPerSecond(messagesPerSecond, sizeBytes) {
    return (messagesPerSecond * sizeBytes) / 1_000_000;
}
/** The middle value (the lower middle for an even count, so it is always a measured value). */
export function median(values) {
    if (values.length === 0)
        return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}
//# sourceMappingURL=stats.js.map