/**
 * `brokerlab bench --html FILE`: one self-contained page (inline CSS and SVG, no script, a
 * Content-Security-Policy that loads nothing) with the results table, a bar chart of
 * throughput and a chart of latency percentiles. Both charts use a logarithmic axis: the
 * brokers differ by orders of magnitude (a pipelined Redis against one SQS request per
 * message), and on a linear axis the slow ones would not show at all.
 */
import { esc, pageHead } from '../reporters/html.js';
import { RESULT_COLUMNS, RESULT_LEGEND, resultRow } from './report.js';
import { BENCHES } from './run.js';
import { formatBytes, formatCount, formatMs } from './table.js';
/** Colours per broker, readable on white and distinct for common colour blindness. */
const COLOURS = { redis: '#d62728', rabbitmq: '#ff7f0e', kafka: '#1f77b4', sqs: '#2ca02c' };
/** Powers of ten covering [min, max], for a log axis; at least two. */
export function logTicks(min, max) {
    const low = Math.floor(Math.log10(Math.max(min, 1e-9)));
    const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(max, 1e-9))));
    const ticks = [];
    for (let exponent = low; exponent <= high; exponent++)
        ticks.push(10 ** exponent);
    return ticks;
}
const W = 960;
const LABEL_W = 300;
const PLOT_W = W - LABEL_W - 90;
const ROW_H = 22;
const TOP = 24;
/** Short, so it fits left of the chart: the variant's id; its full label is in the table and the tooltip. */
function rowLabel(r) {
    return `${BENCHES[r.broker].label} · ${r.variant} · ${formatBytes(r.size)}`;
}
function axis(ticks, x, height, format) {
    return ticks
        .map((t) => {
        const at = x(t).toFixed(1);
        return `<line x1="${at}" x2="${at}" y1="${TOP - 6}" y2="${height}" class="grid"/><text x="${at}" y="${TOP - 10}" class="tick">${esc(format(t))}</text>`;
    })
        .join('');
}
/** Horizontal bars: delivered msg/s (sent msg/s for producer-only results). */
export function throughputChart(results) {
    const value = (r) => r.deliveredPerSecond ?? r.sentPerSecond;
    const values = results.map(value).filter((v) => v > 0);
    if (values.length === 0)
        return '<p class="empty">Nothing was delivered.</p>';
    const ticks = logTicks(Math.min(...values), Math.max(...values));
    const lo = Math.log10(ticks[0]);
    const hi = Math.log10(ticks[ticks.length - 1]);
    const x = (v) => LABEL_W + ((Math.log10(Math.max(v, ticks[0])) - lo) / (hi - lo)) * PLOT_W;
    const height = TOP + results.length * ROW_H + 8;
    const bars = results
        .map((r, i) => {
        const y = TOP + i * ROW_H;
        const v = value(r);
        const end = v > 0 ? x(v) : LABEL_W;
        return (`<text x="${LABEL_W - 8}" y="${y + 15}" class="label">${esc(rowLabel(r))}</text>` +
            `<rect x="${LABEL_W}" y="${y + 4}" width="${Math.max(1, end - LABEL_W).toFixed(1)}" height="${ROW_H - 8}" fill="${COLOURS[r.broker]}"><title>${esc(`${BENCHES[r.broker].label}, ${r.label}, ${formatBytes(r.size)}: ${formatCount(v)} msg/s`)}</title></rect>` +
            `<text x="${(end + 6).toFixed(1)}" y="${y + 15}" class="value">${esc(formatCount(v))}</text>`);
    })
        .join('');
    return `<svg viewBox="0 0 ${W} ${height}" role="img" aria-label="Throughput in messages per second, logarithmic axis" class="chart">${axis(ticks, x, height, formatCount)}${bars}</svg>`;
}
/** Per row: a bar from p50 to p99, a tick at p95 and a dot at the maximum. */
export function latencyChart(results) {
    const rows = results.filter((r) => r.latencyMs !== undefined);
    if (rows.length === 0)
        return '<p class="empty">No latencies: nothing was consumed.</p>';
    const all = rows.flatMap((r) => [r.latencyMs.p50, r.latencyMs.max]).filter((v) => v > 0);
    const ticks = logTicks(Math.min(...all, 0.1), Math.max(...all, 1));
    const lo = Math.log10(ticks[0]);
    const hi = Math.log10(ticks[ticks.length - 1]);
    const x = (v) => LABEL_W + ((Math.log10(Math.max(v, ticks[0])) - lo) / (hi - lo)) * PLOT_W;
    const height = TOP + rows.length * ROW_H + 8;
    const marks = rows
        .map((r, i) => {
        const l = r.latencyMs;
        const y = TOP + i * ROW_H;
        const mid = y + ROW_H / 2;
        const colour = COLOURS[r.broker];
        const title = `${BENCHES[r.broker].label}, ${r.label}, ${formatBytes(r.size)}: p50 ${formatMs(l.p50)}, p95 ${formatMs(l.p95)}, p99 ${formatMs(l.p99)}, max ${formatMs(l.max)}`;
        return (`<g><title>${esc(title)}</title>` +
            `<text x="${LABEL_W - 8}" y="${y + 15}" class="label">${esc(rowLabel(r))}</text>` +
            `<rect x="${x(l.p50).toFixed(1)}" y="${y + 5}" width="${Math.max(2, x(l.p99) - x(l.p50)).toFixed(1)}" height="${ROW_H - 10}" fill="${colour}" opacity="0.55"/>` +
            `<line x1="${x(l.p50).toFixed(1)}" x2="${x(l.p50).toFixed(1)}" y1="${y + 3}" y2="${y + ROW_H - 3}" stroke="${colour}" stroke-width="3"/>` +
            `<line x1="${x(l.p95).toFixed(1)}" x2="${x(l.p95).toFixed(1)}" y1="${y + 5}" y2="${y + ROW_H - 5}" stroke="#1f2328" stroke-width="1.5"/>` +
            `<circle cx="${x(l.max).toFixed(1)}" cy="${mid}" r="3.5" fill="none" stroke="${colour}" stroke-width="1.5"/>` +
            `<text x="${(x(l.max) + 8).toFixed(1)}" y="${y + 15}" class="value">${esc(formatMs(l.p50))} / ${esc(formatMs(l.p99))}</text></g>`);
    })
        .join('');
    return `<svg viewBox="0 0 ${W} ${height}" role="img" aria-label="Latency percentiles in milliseconds, logarithmic axis" class="chart">${axis(ticks, x, height, (v) => formatMs(v))}${marks}</svg>`;
}
export function benchHtml(report, machine) {
    const table = `<table><thead><tr>${RESULT_COLUMNS.map((c) => `<th class="${c.align ?? 'left'}">${esc(c.header)}</th>`).join('')}</tr></thead><tbody>${report.results
        .map((r) => `<tr>${resultRow(r).map((cell, i) => `<td class="${RESULT_COLUMNS[i]?.align ?? 'left'}">${esc(cell)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;
    return `${pageHead()}
<title>brokerlab bench · ${esc(report.startedAt)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header><h1>brokerlab bench</h1><p class="muted">${esc(report.startedAt)} · namespace <code>${esc(report.namespace)}</code> (deleted)${machine ? ` · ${esc(machine)}` : ''}</p></header>
<section><h2>Results</h2>${table}<p class="legend">${esc(RESULT_LEGEND).replace(/\n/g, '<br>')}</p></section>
<section><h2>Throughput <span class="muted">delivered messages per second, logarithmic axis</span></h2>${throughputChart(report.results)}</section>
<section><h2>Latency <span class="muted">produce → consume: bar p50 to p99, line p95, circle max; logarithmic axis</span></h2>${latencyChart(report.results)}</section>
</main>
</body>
</html>
`;
}
const CSS = `
* { box-sizing: border-box; }
body { margin:0; background:#f6f8fa; color:#1f2328; font:15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width:1200px; margin:0 auto; padding:24px 20px 40px; }
h1 { font-size:22px; margin:0 0 4px; } h2 { font-size:17px; margin:0 0 12px; }
.muted { color:#59636e; font-weight:normal; font-size:14px; }
header, section { background:#fff; border:1px solid #d1d9e0; border-radius:10px; padding:18px 20px; margin:0 0 16px; }
section { overflow-x:auto; }
table { border-collapse:collapse; font-size:13px; width:100%; }
th, td { padding:4px 8px; border-bottom:1px solid #eaeef2; white-space:nowrap; }
td:nth-child(2) { white-space:normal; min-width:220px; }
th { text-align:left; color:#59636e; font-weight:600; } .right { text-align:right; font-variant-numeric:tabular-nums; }
.legend { color:#59636e; font-size:13px; margin:10px 0 0; }
.chart { width:100%; height:auto; font-size:11px; }
.chart .label { text-anchor:end; fill:#1f2328; } .chart .value { fill:#1f2328; } .chart .tick { text-anchor:middle; fill:#59636e; }
.chart .grid { stroke:#eaeef2; }
.empty { color:#59636e; }
code { font:0.9em ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
`;
//# sourceMappingURL=html.js.map