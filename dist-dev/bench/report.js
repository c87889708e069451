/**
 * `brokerlab bench`'s table, in the terms of the week-7 "compare brokers" exercise: how the
 * producer sends, how many messages per second got in and came out, and how long a message
 * took from the producer's send call to the consumer (produce -> consume).
 */
import { BENCHES } from './run.js';
import { formatBytes, formatCount, formatMs } from './table.js';
export const RESULT_COLUMNS = [
    { header: 'broker' },
    { header: 'how the producer sends' },
    { header: 'size', align: 'right' },
    { header: 'messages', align: 'right' },
    { header: 'sent msg/s', align: 'right' },
    { header: 'delivered msg/s', align: 'right' },
    { header: 'MB/s', align: 'right' },
    { header: 'latency p50', align: 'right' },
    { header: 'p95', align: 'right' },
    { header: 'p99', align: 'right' },
    { header: 'max', align: 'right' },
    { header: 'lost', align: 'right' },
];
export function resultRow(r) {
    return [
        BENCHES[r.broker].label,
        r.label,
        formatBytes(r.size),
        formatCount(r.sent),
        formatCount(r.sentPerSecond),
        r.deliveredPerSecond === undefined ? '-' : formatCount(r.deliveredPerSecond),
        r.mbPerSecond < 10 ? r.mbPerSecond.toFixed(2) : r.mbPerSecond.toFixed(1),
        formatMs(r.latencyMs?.p50),
        formatMs(r.latencyMs?.p95),
        formatMs(r.latencyMs?.p99),
        formatMs(r.latencyMs?.max),
        formatCount(r.lost),
    ];
}
export const RESULT_LEGEND = [
    'sent msg/s: messages the broker accepted per second (from the first send to the last acknowledgement);',
    'delivered msg/s: messages the consumer received per second (first send to last delivery);',
    'latency: from the producer\'s send call to the consumer receiving the message (produce -> consume);',
    'MB/s: payload megabytes (10^6 bytes) delivered per second; lost: sent but not received within 5 s.',
].join('\n');
//# sourceMappingURL=report.js.map