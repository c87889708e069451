/**
 * Section 2 of `npm run bench`: how long a learner waits for `brokerlab check <pilot>
 * --solution reference --json`, wall clock from spawn to exit, brokers already running;
 * the median of 5 runs per graded exercise (the pilots: every exercise in the catalog). For a
 * load test, also what its reference sustained on this machine: the rate and p99 of the
 * judged phase and the knee, read from each run's history (checks/load.ts's profile).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { planProfile } from '../checks/load.js';
import type { Operation } from '../runner/history.js';
import { loadCatalog } from '../catalog/load.js';
import { lastLine, runCli } from './cli-runner.js';
import type { Section, SectionContext } from './section.js';
import { median } from './stats.js';
import { formatSeconds } from './table.js';
import { checkTargetMs, under } from './targets.js';

export const CHECK_RUNS = 5;

export interface CheckTiming {
  exercise: string;
  brokers: string[];
  wallMs: number[];
  /** Exit codes other than 0 (the reference must pass): each one is a note. */
  failures: string[];
  loadTest?: boolean;
}

/** What a load test's reference sustained in one run. */
export interface LoadFigures {
  sustainedRate: number;
  p99: number;
  /** The highest rate kept up (undefined: not even the judged one). */
  highestKeptUp?: number;
  /** The first rate not kept up, when the steps found one. */
  notAt?: number;
}

/** The graded exercises and the brokers each uses, in curriculum order. */
export function pilots(only?: readonly string[]): Array<{ id: string; brokers: string[]; loadTest: boolean }> {
  return loadCatalog()
    .filter((entry) => !only || only.includes(entry.scenario.id))
    .map((entry) => ({ id: entry.scenario.id, brokers: [...entry.scenario.brokers], loadTest: entry.scenario.workload.name === 'load-test' }));
}

/** A load test's figures from a run directory's history, or undefined. */
export function loadFiguresOf(runDir: string): LoadFigures | undefined {
  let history: Operation[];
  try {
    history = readFileSync(path.join(runDir, 'history.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Operation);
  } catch {
    return undefined;
  }
  const profile = planProfile(history);
  const judged = profile?.phases.find((ph) => ph.plannedRate === profile.rate);
  if (!profile || !judged) return undefined;
  return { sustainedRate: judged.sustainedRate, p99: judged.p99, ...(profile.highestKeptUp !== undefined ? { highestKeptUp: profile.highestKeptUp } : {}), ...(profile.knee ? { notAt: profile.knee.notAt } : {}) };
}

export const LOAD_COLUMNS = [{ header: 'exercise' }, { header: 'runs', align: 'right' }, { header: 'sustained', align: 'right' }, { header: 'p99', align: 'right' }, { header: 'kept up to', align: 'right' }, { header: 'not at', align: 'right' }] as const;

export function loadRow(exercise: string, figures: readonly LoadFigures[]): string[] {
  const rate = (n: number | undefined) => (n === undefined ? '-' : `${Math.round(n)}/s`);
  const highest = figures.map((f) => f.highestKeptUp ?? 0);
  const notAt = figures.flatMap((f) => (f.notAt === undefined ? [] : [f.notAt]));
  return [
    exercise,
    String(figures.length),
    rate(median(figures.map((f) => f.sustainedRate))),
    `${Math.round(median(figures.map((f) => (Number.isFinite(f.p99) ? f.p99 : Number.MAX_SAFE_INTEGER))))} ms`,
    rate(Math.min(...highest) || undefined),
    notAt.length === 0 ? 'none offered' : rate(Math.min(...notAt)),
  ];
}

export const CHECK_COLUMNS = [
  { header: 'exercise' },
  { header: 'brokers' },
  { header: 'runs', align: 'right' },
  { header: 'median', align: 'right' },
  { header: 'min', align: 'right' },
  { header: 'max', align: 'right' },
  { header: 'target', align: 'right' },
  { header: 'status' },
] as const;

export function checkRow(t: CheckTiming): string[] {
  const target = checkTargetMs(t.brokers, t.loadTest);
  const middle = median(t.wallMs);
  const status = t.failures.length > 0 ? 'MISS (did not pass)' : under(middle, target);
  return [
    t.exercise,
    t.brokers.join(', '),
    String(t.wallMs.length),
    formatSeconds(middle),
    formatSeconds(Math.min(...t.wallMs)),
    formatSeconds(Math.max(...t.wallMs)),
    `< ${formatSeconds(target)}`,
    status,
  ];
}

/** The slowest wrong solution of an exercise, from one `dev check <id> --json` (one run each). */
export interface WrongTiming {
  exercise: string;
  slowest: string;
  seconds: number;
  runs: number;
}

export const WRONG_COLUMNS = [{ header: 'exercise' }, { header: 'wrong solutions' }, { header: 'slowest' }, { header: 'its time', align: 'right' }, { header: 'target', align: 'right' }, { header: 'status' }] as const;

/** A wrong solution should get its verdict in under 10 s. */
export const WRONG_TARGET_MS = 10_000;

export function wrongRow(t: WrongTiming): string[] {
  return [t.exercise, String(t.runs), t.slowest, `${t.seconds.toFixed(1)} s`, `< ${formatSeconds(WRONG_TARGET_MS)}`, under(t.seconds * 1000, WRONG_TARGET_MS)];
}

export async function checkLatencySection(ctx: SectionContext, runs = CHECK_RUNS, only?: readonly string[]): Promise<Section> {
  const timings: CheckTiming[] = [];
  const wrong: WrongTiming[] = [];
  const loads: Array<{ exercise: string; figures: LoadFigures[] }> = [];
  for (const pilot of pilots(only)) {
    const timing: CheckTiming = { exercise: pilot.id, brokers: pilot.brokers, wallMs: [], failures: [], loadTest: pilot.loadTest };
    const figures: LoadFigures[] = [];
    for (let i = 1; i <= runs && !ctx.signal?.aborted; i++) {
      ctx.log(`check ${pilot.id} --solution reference, run ${i} of ${runs}`);
      const run = await runCli(['check', pilot.id, '--solution', 'reference', '--json']);
      timing.wallMs.push(run.wallMs);
      if (run.code !== 0) timing.failures.push(`run ${i} exited ${run.code}: ${lastLine(run.stderr) || lastLine(run.stdout)}`);
      if (pilot.loadTest) {
        try {
          const runDir = (JSON.parse(run.stdout) as { brokerlab?: { runDir?: string } }).brokerlab?.runDir;
          const found = runDir ? loadFiguresOf(runDir) : undefined;
          if (found) figures.push(found);
        } catch {
          // no JSON (interrupted): no figures from this run
        }
      }
    }
    if (figures.length > 0) loads.push({ exercise: pilot.id, figures });
    timings.push(timing);
    if (ctx.signal?.aborted) continue;
    ctx.log(`dev check ${pilot.id}: every wrong solution once`);
    const dev = await runCli(['dev', 'check', pilot.id, '--json']);
    try {
      const rows = (JSON.parse(dev.stdout) as { rows: Array<{ solution: string; seconds: number }> }).rows.filter((r) => r.solution.startsWith('wrong/'));
      const slowest = rows.reduce((a, b) => (b.seconds > a.seconds ? b : a));
      wrong.push({ exercise: pilot.id, slowest: slowest.solution, seconds: slowest.seconds, runs: rows.length });
    } catch {
      // no JSON (interrupted, or the exercise has no wrong solutions): no row
    }
  }
  return {
    id: 'check',
    title: `2. Check latency: brokerlab check <pilot> --solution reference, median of ${runs}`,
    tables: [
      { columns: CHECK_COLUMNS, rows: timings.filter((t) => t.wallMs.length > 0).map(checkRow) },
      { columns: WRONG_COLUMNS, rows: wrong.map(wrongRow) },
      ...(loads.length > 0 ? [{ columns: LOAD_COLUMNS, rows: loads.map((l) => loadRow(l.exercise, l.figures)) }] : []),
    ],
    notes: [
      'Wall time from starting the CLI to its exit, brokers already running; targets: Redis and RabbitMQ < 3 s, Kafka < 6 s, a 3-node cluster (a node fault and its failover) or a load test < 15 s (the load test offers its rate for 30 s: it cannot).',
      'Second table: the slowest wrong solution of each exercise in one `dev check <id>` (the run time it reports), target < 10 s.',
      ...(loads.length > 0 ? ['Third table: what each load test\'s reference sustained on this machine, median over the runs: orders accepted in time per second of the judged phase, its p99 latency, the highest rate kept up (every step kept up: the knee is above it) and the lowest rate not kept up.'] : []),
      ...timings.flatMap((t) => t.failures.map((f) => `${t.exercise}: ${f}`)),
    ],
  };
}
