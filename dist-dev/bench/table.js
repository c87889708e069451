/**
 * Tables and number formats for benchmark output: plain text for the console, Markdown for
 * docs/benchmarks.md, from the same columns and rows so the two never disagree.
 */
/**
 * A plain-text table: a header line, a dashed rule, then the rows, columns separated by two
 * spaces and padded to their widest cell. No trailing spaces.
 */
export function textTable(columns, rows) {
    const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)));
    const line = (cells) => columns
        .map((column, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] ?? 0;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
    })
        .join('  ')
        .trimEnd();
    const rule = widths.map((width) => '-'.repeat(width)).join('  ');
    return [line(columns.map((c) => c.header)), rule, ...rows.map(line)].join('\n');
}
/** The same table in Markdown (pipes in cells escaped). */
export function markdownTable(columns, rows) {
    const cell = (text) => text.replace(/\|/g, '\\|');
    const header = `| ${columns.map((c) => cell(c.header)).join(' | ')} |`;
    const rule = `|${columns.map((c) => (c.align === 'right' ? '---:' : '---')).join('|')}|`;
    return [header, rule, ...rows.map((row) => `| ${columns.map((_, i) => cell(row[i] ?? '')).join(' | ')} |`)].join('\n');
}
/** 1234567.8 -> "1,234,568"; below 100, one decimal ("42.5") so slow brokers still read. */
export function formatCount(value) {
    if (!Number.isFinite(value))
        return '-';
    if (Math.abs(value) < 100 && !Number.isInteger(value))
        return value.toFixed(1);
    return Math.round(value)
        .toString()
        .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
/** Milliseconds to a short human form: "0.42 ms", "4.2 ms", "42 ms", "1.23 s". */
export function formatMs(value) {
    if (value === undefined || !Number.isFinite(value))
        return '-';
    if (value < 1)
        return `${value.toFixed(2)} ms`;
    if (value < 10)
        return `${value.toFixed(1)} ms`;
    if (value < 1000)
        return `${Math.round(value)} ms`;
    return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
}
/** Seconds with one decimal: 2345 ms -> "2.3 s". */
export function formatSeconds(ms) {
    return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '-';
}
/** Bytes in the units people type on the command line: 100 -> "100 B", 1024 -> "1 KiB". */
export function formatBytes(bytes) {
    if (bytes >= 1024 ** 3)
        return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
    if (bytes >= 1024 ** 2)
        return `${(bytes / 1024 ** 2).toFixed(bytes >= 10 * 1024 ** 2 ? 0 : 1)} MiB`;
    if (bytes >= 1024)
        return `${Number.isInteger(bytes / 1024) ? bytes / 1024 : (bytes / 1024).toFixed(1)} KiB`;
    return `${bytes} B`;
}
/** A share of one CPU core: 0.973 -> "97%", 1.6 -> "160%" (top's convention). */
export function formatCpu(cores) {
    return cores === undefined || !Number.isFinite(cores) ? 'n/a' : `${Math.round(cores * 100)}%`;
}
/** A ratio to two decimals: 0.4567 -> "0.46". */
export function formatRatio(ratio) {
    return ratio === undefined || !Number.isFinite(ratio) ? '-' : ratio.toFixed(2);
}
//# sourceMappingURL=table.js.map