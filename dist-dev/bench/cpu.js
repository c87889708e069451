/**
 * Where the CPU went during a measurement: this process (our client library), its JavaScript
 * thread, the broker's processes, the children this process waited for (a native tool), and
 * everything else on the machine. This is the evidence `npm run bench` quotes when our
 * throughput falls short of a broker's own tool.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { groupCpuSeconds, readMachineCpu, readProcStat } from './procfs.js';
/** Starts measuring; `brokerGroups` are the process groups of the broker(s) being measured. */
export function startCpuMeter(brokerGroups = []) {
    const started = performance.now();
    const self = process.cpuUsage();
    const loop = performance.eventLoopUtilization();
    const children = readProcStat('self')?.childrenCpuSeconds ?? 0;
    const broker = brokerGroups.length > 0 ? groupCpuSeconds(brokerGroups) : undefined;
    const machine = readMachineCpu();
    return {
        stop() {
            const seconds = Math.max(1e-6, (performance.now() - started) / 1000);
            const selfUsage = process.cpuUsage(self);
            const selfCores = (selfUsage.user + selfUsage.system) / 1e6 / seconds;
            const childrenCores = ((readProcStat('self')?.childrenCpuSeconds ?? children) - children) / seconds;
            const brokerCores = broker !== undefined ? (groupCpuSeconds(brokerGroups) - broker) / seconds : undefined;
            const machineNow = readMachineCpu();
            const machineCores = machine && machineNow ? (machineNow.busySeconds - machine.busySeconds) / seconds : 0;
            return {
                wallMs: seconds * 1000,
                self: selfCores,
                eventLoop: performance.eventLoopUtilization(loop).utilization,
                ...(brokerCores !== undefined ? { broker: brokerCores } : {}),
                children: childrenCores,
                other: Math.max(0, machineCores - selfCores - childrenCores - (brokerCores ?? 0)),
                cores: availableParallelism(),
            };
        },
    };
}
//# sourceMappingURL=cpu.js.map