/**
 * Section 2 of `npm run bench`: how long a learner waits for `brokerlab check <pilot>
 * --solution reference --quiet`, wall clock from spawn to exit, brokers already running;
 * the median of 5 runs per graded exercise (the pilots: every exercise in the catalog).
 */
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
}

/** The graded exercises and the brokers each uses, in curriculum order. */
export function pilots(): Array<{ id: string; brokers: string[] }> {
  return loadCatalog().map((entry) => ({ id: entry.scenario.id, brokers: [...entry.scenario.brokers] }));
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
  const target = checkTargetMs(t.brokers);
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

export async function checkLatencySection(ctx: SectionContext, runs = CHECK_RUNS): Promise<Section> {
  const timings: CheckTiming[] = [];
  const wrong: WrongTiming[] = [];
  for (const pilot of pilots()) {
    const timing: CheckTiming = { exercise: pilot.id, brokers: pilot.brokers, wallMs: [], failures: [] };
    for (let i = 1; i <= runs && !ctx.signal?.aborted; i++) {
      ctx.log(`check ${pilot.id} --solution reference, run ${i} of ${runs}`);
      const run = await runCli(['check', pilot.id, '--solution', 'reference', '--quiet']);
      timing.wallMs.push(run.wallMs);
      if (run.code !== 0) timing.failures.push(`run ${i} exited ${run.code}: ${lastLine(run.stderr) || lastLine(run.stdout)}`);
    }
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
    ],
    notes: [
      'Wall time from starting the CLI to its exit, brokers already running; targets: Redis and RabbitMQ < 3 s, Kafka < 6 s.',
      'Second table: the slowest wrong solution of each exercise in one `dev check <id>` (the run time it reports), target < 10 s.',
      ...timings.flatMap((t) => t.failures.map((f) => `${t.exercise}: ${f}`)),
    ],
  };
}
