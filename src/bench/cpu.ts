/**
 * Where the CPU went during a measurement: this process (our client library), its JavaScript
 * thread, the broker's processes, the children this process waited for (a native tool), and
 * everything else on the machine. This is the evidence `npm run bench` quotes when our
 * throughput falls short of a broker's own tool.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { groupCpuSeconds, readMachineCpu, readProcStat } from './procfs.js';

/** All figures in cores: 1 = one core busy for the whole measurement. */
export interface CpuUsage {
  wallMs: number;
  /** This Node process, every thread (JavaScript, libuv's pool, the GC). */
  self: number;
  /** Share (0..1) of the time the JavaScript thread was busy rather than waiting for I/O. */
  eventLoop: number;
  /** The broker's native processes; undefined when it does not run natively here. */
  broker?: number;
  /** Children this process started and that have exited (e.g. redis-benchmark, a JVM tool). */
  children: number;
  /** Every other process on the machine. */
  other: number;
  cores: number;
}

export interface CpuMeter {
  stop(): CpuUsage;
}

/** Starts measuring; `brokerGroups` are the process groups of the broker(s) being measured. */
export function startCpuMeter(brokerGroups: readonly number[] = []): CpuMeter {
  const started = performance.now();
  const self = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const children = readProcStat('self')?.childrenCpuSeconds ?? 0;
  const broker = brokerGroups.length > 0 ? groupCpuSeconds(brokerGroups) : undefined;
  const machine = readMachineCpu();
  return {
    stop(): CpuUsage {
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
