/**
 * Section 4 of `npm run bench`: peak resident memory while grading each pilot's reference
 * solution: the sum of VmRSS over every broker process (each native broker's process group,
 * each node of the Kafka cluster) plus the `brokerlab check` process and everything it
 * started (the learner's programs), sampled from /proc every 200 ms.
 *
 * The 3-node Kafka cluster is started for this section if it is not running (and stopped
 * again after): its own rows measure it idle and under a short produce, and the pilots are
 * then graded with it running beside the single-node Kafka, the lab's largest footprint.
 */
import { BROKER_NAMES, down, nativeProcessGroups, status, up } from '../brokers/index.js';
import { measureClusterFootprint, type ClusterFootprint } from './footprint-cluster.js';
import { pilots } from './check-latency.js';
import { lastLine, spawnCli } from './cli-runner.js';
import { footprintPids, readProcTable, readRss } from './procfs.js';
import type { Section, SectionContext } from './section.js';
import { formatBytes } from './table.js';
import { FOOTPRINT_TARGET_BYTES, under } from './targets.js';

export const SAMPLE_MS = 200;

export interface FootprintSample {
  brokers: number;
  lab: number;
}

export interface Footprint {
  exercise: string;
  samples: number;
  /** The sample with the largest total. */
  peak: FootprintSample;
  brokersCounted: string[];
  failure?: string;
}

/** The sample with the largest total (brokers + lab); zeros for none. */
export function peakOf(samples: readonly FootprintSample[]): FootprintSample {
  let peak: FootprintSample = { brokers: 0, lab: 0 };
  for (const sample of samples) if (sample.brokers + sample.lab > peak.brokers + peak.lab) peak = sample;
  return peak;
}

/** Native brokers running now: name and process group (one per node of the cluster). */
function runningBrokers(): Array<{ name: string; pgid: number }> {
  return BROKER_NAMES.flatMap((name) => nativeProcessGroups(name).map((group) => ({ name, pgid: group.pgid })));
}

/** One sample: RSS of the brokers' groups, and of the CLI's process tree. */
export function sampleFootprint(brokerGroups: readonly number[], cliPid: number): FootprintSample {
  const table = readProcTable();
  const brokerPids = footprintPids(table, brokerGroups, []);
  const all = footprintPids(table, brokerGroups, [cliPid]);
  let brokers = 0;
  let lab = 0;
  for (const pid of all) {
    const rss = readRss(pid) ?? 0;
    if (brokerPids.has(pid)) brokers += rss;
    else lab += rss;
  }
  return { brokers, lab };
}

export const FOOTPRINT_COLUMNS = [
  { header: 'while grading' },
  { header: 'peak total', align: 'right' },
  { header: 'brokers', align: 'right' },
  { header: 'CLI + learner', align: 'right' },
  { header: 'samples', align: 'right' },
  { header: 'target', align: 'right' },
  { header: 'status' },
] as const;

/** The cluster's two rows: idle, and under the short produce (same columns as the pilots). */
export function clusterFootprintRows(cluster: ClusterFootprint): string[][] {
  const row = (label: string, peak: FootprintSample): string[] => [
    label,
    formatBytes(peak.brokers + peak.lab),
    formatBytes(peak.brokers),
    formatBytes(peak.lab),
    String(cluster.samples),
    `< ${formatBytes(FOOTPRINT_TARGET_BYTES)}`,
    under(peak.brokers + peak.lab, FOOTPRINT_TARGET_BYTES),
  ];
  return [row('kafka-cluster idle (3 nodes)', cluster.idle), row('kafka-cluster, produce acks=all', cluster.produce)];
}

export function footprintRows(results: readonly Footprint[]): string[][] {
  const row = (label: string, peak: FootprintSample, samples: string): string[] => [
    label,
    formatBytes(peak.brokers + peak.lab),
    formatBytes(peak.brokers),
    formatBytes(peak.lab),
    samples,
    `< ${formatBytes(FOOTPRINT_TARGET_BYTES)}`,
    under(peak.brokers + peak.lab, FOOTPRINT_TARGET_BYTES),
  ];
  const overall = peakOf(results.map((r) => r.peak));
  return [
    ...results.map((r) => row(r.exercise, r.peak, String(r.samples))),
    row('any pilot (the highest)', overall, String(results.reduce((sum, r) => sum + r.samples, 0))),
  ];
}

export async function footprintSection(ctx: SectionContext, only?: readonly string[]): Promise<Section> {
  const results: Footprint[] = [];
  const [clusterRow] = await status(['kafka-cluster']);
  const startCluster = clusterRow?.health !== 'healthy';
  let cluster: ClusterFootprint | undefined;
  let clusterFailure: string | undefined;
  try {
    if (startCluster) {
      ctx.log('starting the 3-node Kafka cluster for the footprint (stopped again afterwards)');
      await up(['kafka-cluster']);
    }
    ctx.log('kafka-cluster: sampling memory idle, then during a short produce with acks=all');
    cluster = await measureClusterFootprint(() => runningBrokers().map((b) => b.pgid), SAMPLE_MS);
  } catch (error) {
    clusterFailure = (error as Error).message;
  }
  try {
    await gradePilots(ctx, only, results);
  } finally {
    if (startCluster) await down(['kafka-cluster']).catch(() => {});
  }
  const counted = [...new Set(results.flatMap((r) => r.brokersCounted))];
  const mib = (bytes: number): string => formatBytes(bytes);
  return {
    id: 'footprint',
    title: '4. Footprint: peak resident memory while grading each pilot',
    tables: [{ columns: FOOTPRINT_COLUMNS, rows: [...(cluster ? clusterFootprintRows(cluster) : []), ...footprintRows(results)] }],
    notes: [
      `Sum of VmRSS sampled every ${SAMPLE_MS} ms: brokers = every process of the native brokers running (${counted.join(', ') || 'none'}); CLI + learner = \`brokerlab check\` and every process it started. Target < 2.5 GiB.`,
      ...(cluster
        ? [`kafka-cluster: its three nodes (heap ${cluster.heap} each) at the produce's peak: ${cluster.nodes.map(mib).join(', ')}; its rows count every native broker running beside it, the bench's own process as CLI.`]
        : [`kafka-cluster: not measured (${clusterFailure ?? 'unknown reason'}).`]),
      ...results.filter((r) => r.failure).map((r) => `${r.exercise}: the reference did not pass (${r.failure}).`),
    ],
  };
}

async function gradePilots(ctx: SectionContext, only: readonly string[] | undefined, results: Footprint[]): Promise<void> {
  for (const pilot of pilots(only)) {
    if (ctx.signal?.aborted) break;
    const brokers = runningBrokers();
    ctx.log(`check ${pilot.id} --solution reference, sampling memory every ${SAMPLE_MS} ms`);
    const { child, done } = spawnCli(['check', pilot.id, '--solution', 'reference', '--quiet']);
    const samples: FootprintSample[] = [];
    const timer = setInterval(() => {
      if (child.pid !== undefined) samples.push(sampleFootprint(brokers.map((b) => b.pgid), child.pid));
    }, SAMPLE_MS);
    const run = await done;
    clearInterval(timer);
    results.push({
      exercise: pilot.id,
      samples: samples.length,
      peak: peakOf(samples),
      brokersCounted: brokers.map((b) => b.name),
      ...(run.code !== 0 ? { failure: `exited ${run.code}: ${lastLine(run.stderr) || lastLine(run.stdout)}` } : {}),
    });
  }
}
