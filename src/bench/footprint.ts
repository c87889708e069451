/**
 * Section 4 of `npm run bench`: peak resident memory while grading each pilot's reference
 * solution: the sum of VmRSS over every broker process (each native broker's process group)
 * plus the `brokerlab check` process and everything it started (the learner's programs),
 * sampled from /proc every 200 ms.
 */
import { BROKER_NAMES, nativeProcess } from '../brokers/index.js';
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

/** Native brokers running now: name and process group. */
function runningBrokers(): Array<{ name: string; pgid: number }> {
  return BROKER_NAMES.flatMap((name) => {
    const native = nativeProcess(name);
    return native ? [{ name, pgid: native.pgid }] : [];
  });
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
  const counted = [...new Set(results.flatMap((r) => r.brokersCounted))];
  return {
    id: 'footprint',
    title: '4. Footprint: peak resident memory while grading each pilot',
    tables: [{ columns: FOOTPRINT_COLUMNS, rows: footprintRows(results) }],
    notes: [
      `Sum of VmRSS sampled every ${SAMPLE_MS} ms: brokers = every process of the native brokers running (${counted.join(', ') || 'none'}); CLI + learner = \`brokerlab check\` and every process it started. Target < 2.5 GiB.`,
      ...results.filter((r) => r.failure).map((r) => `${r.exercise}: the reference did not pass (${r.failure}).`),
    ],
  };
}
