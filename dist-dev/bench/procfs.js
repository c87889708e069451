/**
 * What the bench reads from Linux's /proc: process table (pid, parent, process group, CPU
 * time), resident memory, and the machine's CPU time. The parsers are pure and tested with
 * literal file contents; the readers return undefined for a process that has just exited.
 */
import { readFileSync, readdirSync } from 'node:fs';
/**
 * Kernel clock ticks per second in /proc CPU times (USER_HZ). It is 100 on every Linux
 * architecture Node supports, and reading it properly (sysconf) would need a native module.
 */
export const CLOCK_TICKS_PER_SECOND = 100;
/**
 * One /proc/<pid>/stat line. The command name is in parentheses and may itself contain
 * spaces and parentheses, so fields are counted from the last ")".
 */
export function parseProcStat(text) {
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    if (open < 0 || close < open)
        return undefined;
    const rest = text.slice(close + 2).trim().split(/\s+/);
    // rest[0] is field 3 (state); utime is field 14, so rest[11]; stime rest[12]; cutime/cstime rest[13..14].
    const field = (index) => Number(rest[index]);
    const stat = {
        pid: Number(text.slice(0, open).trim()),
        comm: text.slice(open + 1, close),
        state: rest[0] ?? '?',
        ppid: field(1),
        pgid: field(2),
        cpuSeconds: (field(11) + field(12)) / CLOCK_TICKS_PER_SECOND,
        childrenCpuSeconds: (field(13) + field(14)) / CLOCK_TICKS_PER_SECOND,
    };
    return [stat.pid, stat.ppid, stat.pgid, stat.cpuSeconds].every(Number.isFinite) ? stat : undefined;
}
/** VmRSS from /proc/<pid>/status, in bytes; undefined for kernel threads and zombies. */
export function parseVmRss(statusText) {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
    return match ? Number(match[1]) * 1024 : undefined;
}
/** The first line of /proc/stat ("cpu  user nice system idle iowait irq softirq steal ..."), in seconds. */
export function parseMachineCpu(statText) {
    const line = statText.split('\n').find((l) => /^cpu\s/.test(l));
    if (!line)
        return undefined;
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (values.length < 5 || values.some((v) => !Number.isFinite(v)))
        return undefined;
    const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
    const total = values.reduce((sum, v) => sum + v, 0);
    return { busySeconds: (total - idle) / CLOCK_TICKS_PER_SECOND, totalSeconds: total / CLOCK_TICKS_PER_SECOND };
}
/**
 * Which processes make up the lab's footprint: every member of the brokers' process groups
 * (a native broker and everything it forked), plus each root process and all of its
 * descendants (the CLI and the learner's programs, which run in process groups of their own
 * but are still the CLI's children).
 */
export function footprintPids(table, brokerGroups, roots) {
    const chosen = new Set();
    for (const entry of table)
        if (brokerGroups.includes(entry.pgid))
            chosen.add(entry.pid);
    const children = new Map();
    for (const entry of table)
        children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry.pid]);
    const live = new Set(table.map((entry) => entry.pid));
    const visited = new Set();
    const pending = [...roots];
    while (pending.length > 0) {
        const pid = pending.pop();
        if (visited.has(pid))
            continue;
        visited.add(pid);
        if (live.has(pid))
            chosen.add(pid);
        pending.push(...(children.get(pid) ?? []));
    }
    return chosen;
}
function readText(file) {
    try {
        return readFileSync(file, 'utf8');
    }
    catch {
        return undefined; // the process exited meanwhile
    }
}
export function readProcStat(pid) {
    const text = readText(`/proc/${pid}/stat`);
    return text === undefined ? undefined : parseProcStat(text);
}
/** Every process on the machine, zombies excluded. */
export function readProcTable() {
    const table = [];
    for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry))
            continue;
        const stat = readProcStat(Number(entry));
        if (stat && stat.state !== 'Z' && stat.state !== 'X')
            table.push(stat);
    }
    return table;
}
export function readRss(pid) {
    const text = readText(`/proc/${pid}/status`);
    return text === undefined ? undefined : parseVmRss(text);
}
export function readMachineCpu() {
    const text = readText('/proc/stat');
    return text === undefined ? undefined : parseMachineCpu(text);
}
/** CPU seconds used so far by every live member of these process groups. */
export function groupCpuSeconds(pgids, table = readProcTable()) {
    return table.filter((entry) => pgids.includes(entry.pgid)).reduce((sum, entry) => sum + entry.cpuSeconds, 0);
}
//# sourceMappingURL=procfs.js.map