/**
 * Targets and verdicts for `npm run bench`. Speed targets live here and in the benchmark
 * output, never in test assertions: a slow shared machine must not fail the test suite.
 */
import { formatCpu } from './table.js';

/** `brokerlab bench` should reach at least half of each broker's own tool's throughput. */
export const TOOL_RATIO_TARGET = 0.5;
/** Wall time of `brokerlab check <pilot> --solution reference`, brokers warm. */
export const CHECK_TARGET_MS = { default: 3_000, kafka: 6_000, cluster: 15_000, loadTest: 15_000 } as const;
/** `brokerlab down` then `brokerlab up` of every broker until each answers. */
export const COLD_START_TARGET_MS = 25_000;
/** Peak resident memory of the brokers plus the CLI and the learner's processes. */
export const FOOTPRINT_TARGET_BYTES = 2.5 * 1024 ** 3;

export type Status = 'PASS' | 'MISS';

/** PASS when a measured value stays under its target (times, memory). */
export function under(value: number, target: number): Status {
  return value < target ? 'PASS' : 'MISS';
}

/** ours / theirs, and PASS when it reaches the target. A tool that measured nothing gives no ratio. */
export function ratioTo(ours: number, theirs: number, target = TOOL_RATIO_TARGET): { ratio: number | undefined; status: Status } {
  if (!(theirs > 0) || !Number.isFinite(ours)) return { ratio: undefined, status: 'MISS' };
  const ratio = ours / theirs;
  return { ratio, status: ratio >= target ? 'PASS' : 'MISS' };
}

/** The check-latency target of a graded exercise: Kafka's consumer groups take longer to
 *  form, a load test offers its load for as long as it must, and an exercise on a 3-node
 *  cluster waits for a node fault and the failover after it. */
export function checkTargetMs(brokers: readonly string[], loadTest = false): number {
  if (loadTest) return CHECK_TARGET_MS.loadTest;
  if (brokers.some((b) => b.endsWith('-cluster'))) return CHECK_TARGET_MS.cluster;
  return brokers.includes('kafka') ? CHECK_TARGET_MS.kafka : CHECK_TARGET_MS.default;
}

/**
 * What was measured while our client and the broker's own tool each ran the same workload.
 * CPU figures are in cores (1 = one core fully busy for the whole run), from process.cpuUsage
 * and /proc; `eventLoop` is the share of time Node's JavaScript thread was busy.
 */
export interface Evidence {
  cores: number;
  ours: {
    client: string;
    cpu: number;
    eventLoop?: number;
    broker?: number;
    /** Other processes on the machine, meanwhile. */
    other?: number;
  };
  theirs: { tool: string; cpu: number; broker?: number };
}

/** Busier than this (of one core, or of the event loop's time) counts as CPU-bound. */
const BOUND = 0.85;
/** Other processes using this much of the machine make the figures noisy. */
const NOISY = 0.25;

/**
 * Why our throughput fell short of the tool's, said only from the evidence: which process
 * ran out of CPU, or that none did (then the time went to waiting for the broker's replies).
 */
export function explainShortfall(e: Evidence): string {
  const { ours, theirs } = e;
  const brokerNote =
    ours.broker !== undefined && theirs.broker !== undefined
      ? `; the broker used ${formatCpu(ours.broker)} of a core with ours, ${formatCpu(theirs.broker)} with ${theirs.tool}`
      : '';
  const busiest = Math.max(ours.cpu, ours.eventLoop ?? 0);
  let reason: string;
  if (busiest >= BOUND) {
    const loop = ours.eventLoop !== undefined ? `its JavaScript thread was busy ${formatCpu(ours.eventLoop)} of the time, ` : '';
    reason =
      `our client (${ours.client}) was CPU-bound: ${loop}${formatCpu(ours.cpu)} of one core (JavaScript runs on one thread), ` +
      `while ${theirs.tool} used ${formatCpu(theirs.cpu)}${theirs.cpu > 1 ? ' spread over several threads' : ''}${brokerNote}`;
  } else if (ours.broker !== undefined && ours.broker >= BOUND) {
    reason = `the broker was the bottleneck: it used ${formatCpu(ours.broker)} of a core with our client (ours ${formatCpu(ours.cpu)})`;
  } else if (ours.cpu + (ours.broker ?? 0) + (ours.other ?? 0) >= BOUND * e.cores) {
    reason =
      `the machine was saturated: our client ${formatCpu(ours.cpu)}, the broker ${formatCpu(ours.broker)}, ` +
      `other processes ${formatCpu(ours.other)} of ${e.cores} cores`;
  } else {
    reason =
      `neither our client (${formatCpu(ours.cpu)} of a core) nor the broker (${formatCpu(ours.broker)}) was CPU-bound, ` +
      `so the time went to waiting for the broker's replies`;
  }
  if (ours.other !== undefined && ours.other >= NOISY) reason += `; other processes used ${formatCpu(ours.other)} meanwhile (noisy figures)`;
  return reason;
}
