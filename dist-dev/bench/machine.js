/**
 * The machine a benchmark ran on, printed above every table: figures only mean something
 * next to the cores, memory and CPU they were measured on, and how busy it already was.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { formatBytes } from './table.js';
/** First line of `java -version` (it prints on stderr): 'openjdk version "17.0.15" 2025-04-15'. */
export function parseJavaVersion(output) {
    const line = output.split('\n').find((l) => /version "/.test(l));
    const match = line ? /^(\S+) version "([^"]+)"/.exec(line.trim()) : null;
    return match ? `${match[1]} ${match[2]}` : 'unknown';
}
/** stdout and stderr of a short command, whatever its exit code ("" if it cannot run). */
function output(command, args, cwd) {
    const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000, ...(cwd ? { cwd } : {}) });
    return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}
export function describeMachine(repo) {
    const commit = repo ? output('git', ['rev-parse', '--short', 'HEAD'], repo).trim() : '';
    const dirty = repo ? output('git', ['status', '--porcelain', '--untracked-files=no'], repo).trim() !== '' : false;
    return {
        cores: availableParallelism(),
        memoryBytes: totalmem(),
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
        node: process.version,
        java: parseJavaVersion(output('java', ['-version'])),
        load1: loadavg()[0] ?? 0,
        date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        commit: commit ? `${commit}${dirty ? '+changes' : ''}` : 'unknown',
    };
}
/** "2 cores, 23.4 GiB, Intel(R) Xeon(R) ..., Node v20.20.2, Java openjdk 17.0.15, load 2.13" */
export function machineLine(m) {
    return `${m.cores} cores, ${formatBytes(m.memoryBytes)} RAM, ${m.cpuModel}, Node ${m.node}, Java ${m.java}, load ${m.load1.toFixed(2)} at start`;
}
//# sourceMappingURL=machine.js.map