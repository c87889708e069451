/**
 * Parsers for what the brokers' own performance tools print. Each takes the tool's complete
 * output and returns the figures of its final summary, or throws saying what was missing
 * (quoting the output's last line), so a changed tool version fails loudly rather than
 * reporting zeros. Tested with literal outputs in test/unit/bench-tool-output.test.ts.
 */
function lastLine(output) {
    const lines = output.trim().split('\n');
    return (lines[lines.length - 1] ?? '').trim().slice(0, 200);
}
/** Splits one CSV line with "quoted" fields ("" is an escaped quote). */
function csvFields(line) {
    const fields = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
        const char = line[i];
        if (quoted) {
            if (char === '"' && line[i + 1] === '"') {
                field += '"';
                i++;
            }
            else if (char === '"')
                quoted = false;
            else
                field += char;
        }
        else if (char === '"')
            quoted = true;
        else if (char === ',') {
            fields.push(field);
            field = '';
        }
        else
            field += char;
    }
    fields.push(field);
    return fields;
}
/**
 * `redis-benchmark --csv` (Redis 7): a header line "test","rps","avg_latency_ms",... then one
 * line per test. Older versions (< 7) print only "test","rps"; the latencies are then NaN.
 */
export function parseRedisBenchmarkCsv(output) {
    const rows = [];
    let header;
    for (const raw of output.split('\n')) {
        const line = raw.trim();
        if (!line.startsWith('"'))
            continue; // progress output (without --csv) or blank lines
        const fields = csvFields(line);
        if (fields[0] === 'test') {
            header = fields;
            continue;
        }
        const value = (name, position) => {
            const index = header ? header.indexOf(name) : position;
            return index >= 0 && fields[index] !== undefined ? Number(fields[index]) : Number.NaN;
        };
        const requestsPerSecond = value('rps', 1);
        if (!Number.isFinite(requestsPerSecond))
            continue;
        rows.push({
            test: fields[0] ?? '',
            requestsPerSecond,
            avgMs: value('avg_latency_ms', 2),
            p50Ms: value('p50_latency_ms', 4),
            p95Ms: value('p95_latency_ms', 5),
            p99Ms: value('p99_latency_ms', 6),
            maxMs: value('max_latency_ms', 7),
        });
    }
    if (rows.length === 0)
        throw new Error(`redis-benchmark printed no CSV result (last line: "${lastLine(output)}")`);
    return rows;
}
const NUMBER = '([\\d.]+)';
const PRODUCER_FINAL = new RegExp(`${NUMBER} records sent, ${NUMBER} records/sec \\(${NUMBER} MB/sec\\), ${NUMBER} ms avg latency, ${NUMBER} ms max latency, ` +
    `${NUMBER} ms 50th, ${NUMBER} ms 95th, ${NUMBER} ms 99th, ${NUMBER} ms 99.9th`);
/**
 * ProducerPerformance prints a progress line every 5 s ("N records sent, X records/sec (...),
 * A ms avg latency, M ms max latency.") and, last, the same with percentiles: that one counts.
 */
export function parseProducerPerformance(output) {
    const finals = output.split('\n').filter((line) => PRODUCER_FINAL.test(line));
    const match = PRODUCER_FINAL.exec(finals[finals.length - 1] ?? '');
    if (!match)
        throw new Error(`ProducerPerformance printed no final summary (last line: "${lastLine(output)}")`);
    const n = (i) => Number(match[i]);
    return {
        records: n(1),
        recordsPerSecond: n(2),
        mbPerSecond: n(3),
        avgLatencyMs: n(4),
        maxLatencyMs: n(5),
        p50Ms: n(6),
        p95Ms: n(7),
        p99Ms: n(8),
        p999Ms: n(9),
    };
}
function latencyLine(output, what) {
    // "..., consumer latency min/median/75th/95th/99th 110/2958/4169/12970/31059 µs" (or "ms"
    // with --use-millis). Per-second lines say "consumer latency: ..." with a colon: skipped.
    const pattern = new RegExp(`${what} latency min/median/75th/95th/99th ([\\d/.]+) (µs|us|ms)\\s*$`);
    let found = null;
    for (const line of output.split('\n'))
        found = pattern.exec(line.trim()) ?? found;
    if (!found)
        return undefined;
    const divisor = found[2] === 'ms' ? 1 : 1000;
    const [min, p50, p75, p95, p99] = (found[1] ?? '').split('/').map((v) => Number(v) / divisor);
    if ([min, p50, p75, p95, p99].some((v) => v === undefined || !Number.isFinite(v)))
        return undefined;
    return { min: min, p50: p50, p75: p75, p95: p95, p99: p99 };
}
/**
 *   test stopped (Producer reached message limit, Consumer reached message limit)
 *   id: test-034107-377, sending rate avg: 11848 msg/s
 *   id: test-034107-377, receiving rate avg: 11848 msg/s
 *   id: test-034107-377, consumer latency min/median/75th/95th/99th 110/2958/4169/12970/31059 µs
 *   id: test-034107-377, confirm latency min/median/75th/95th/99th 173/3605/4712/7168/14353 µs
 */
export function parsePerfTestSummary(output) {
    const rate = (what) => {
        const match = new RegExp(`${what} rate avg: ([\\d.]+) msg/s`).exec(output);
        return match ? Number(match[1]) : undefined;
    };
    const sentPerSecond = rate('sending');
    const receivedPerSecond = rate('receiving');
    if (sentPerSecond === undefined || receivedPerSecond === undefined) {
        throw new Error(`PerfTest printed no summary (last line: "${lastLine(output)}")`);
    }
    const stopped = /test stopped \((.*)\)/.exec(output)?.[1];
    const consumer = latencyLine(output, 'consumer');
    const confirm = latencyLine(output, 'confirm');
    return {
        sentPerSecond,
        receivedPerSecond,
        ...(stopped ? { stoppedBecause: stopped } : {}),
        ...(consumer ? { consumerLatencyMs: consumer } : {}),
        ...(confirm ? { confirmLatencyMs: confirm } : {}),
    };
}
//# sourceMappingURL=tool-output.js.map