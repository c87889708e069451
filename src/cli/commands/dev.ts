/**
 * brokerlab dev check [exercise...] [--repeat N] [--parallel N]
 *
 * For exercise authors and CI: proves every starter fails, every reference passes and every
 * wrong solution fails on its intended check, N times each, against the real brokers. Any
 * deviation (including a verdict that flips between repeats) makes it exit 1.
 *
 * --parallel N runs N of those runs at the same time (runner/pool.ts; default 1: one after
 * the other, as always). Lines print as runs finish; the rows (--json) keep the fixed order.
 */
import path from 'node:path';
import chalk from 'chalk';
import { Command } from 'commander';
import { expectationsOf, judge } from '../../catalog/expectations.js';
import { findExercise, loadCatalog } from '../../catalog/load.js';
import { ExitError } from '../../errors.js';
import { PACKAGE_ROOT, runsDir } from '../../paths.js';
import { writeArtifacts } from '../../reporters/artifacts.js';
import { runScenario } from '../../runner/run.js';
import { commandForFile } from '../../runner/learner.js';
import { runClaim } from '../../faults/index.js';
import { runPool } from '../../runner/pool.js';
import { interruptSignal } from '../interrupt.js';
import { stdout } from '../output.js';
import { wholeNumber } from '../numbers.js';
import { parseParallel } from '../parallel.js';
import { SEED_HELP, parseSeedOption } from '../seed.js';

interface Row {
  exercise: string;
  solution: string;
  repeat: number;
  expected: string;
  got: string;
  ok: boolean;
  deviation?: string;
  seconds: number;
  runDir: string;
}

function devCheckCommand(): Command {
  return new Command('check')
    .description('prove every starter fails, every reference passes and every wrong solution fails on its intended check')
    .argument('[exercise...]', 'exercise ids (default: all)')
    .option('--repeat <n>', 'run each solution n times (verdicts must not flip)', wholeNumber(1), 1)
    .option('--parallel <n>', 'how many runs go at the same time (1 to 8)', parseParallel, 1)
    .option('--seed <n>', SEED_HELP, parseSeedOption)
    .option('--json', 'print the rows as JSON')
    .option('-q, --quiet', 'only the summary')
    .action(async (exercises: string[], options: { repeat: number; parallel: number; seed?: number; json?: boolean; quiet?: boolean }) => {
      const entries = exercises.length > 0 ? exercises.map((id) => findExercise(id)) : loadCatalog();
      const say = (line: string) => {
        if (!options.json && !options.quiet) process.stderr.write(`${line}\n`);
      };
      // Every run to do, in the order a sequential dev check has always done them.
      const jobs = entries.flatMap((entry) =>
        Array.from({ length: options.repeat }, (_, i) => i + 1).flatMap((repeat) => expectationsOf(entry).map((expectation) => ({ entry, repeat, expectation }))),
      );
      const started = Date.now();
      const rows: Row[] = await runPool(
        jobs,
        options.parallel,
        async ({ entry, repeat, expectation }) => {
          const result = await runScenario(entry, commandForFile(expectation.file, entry.labDir), { runsDir: runsDir(PACKAGE_ROOT), signal: interruptSignal, ...(options.seed === undefined ? {} : { seed: options.seed }) });
          writeArtifacts(result);
          const judgement = judge(expectation, result);
          const row: Row = {
            exercise: entry.scenario.id,
            solution: expectation.label,
            repeat,
            expected: expectation.expect === 'pass' ? 'pass' : `fail${expectation.failsChecks ? ` on ${expectation.failsChecks.join(', ')}` : ''}`,
            got: judgement.got,
            ok: judgement.ok,
            ...(judgement.deviation ? { deviation: judgement.deviation } : {}),
            seconds: Math.round(result.durationMs / 100) / 10,
            runDir: result.runDir,
          };
          say(
            `${row.ok ? chalk.green('✔') : chalk.red('✘')} ${row.exercise.padEnd(26)} ${row.solution.padEnd(32)} #${repeat}  expected ${row.expected.padEnd(40)} got ${row.got}  ${chalk.dim(`${row.seconds}s`)}` +
              (row.deviation ? `\n    ${chalk.red(row.deviation)}; see ${path.relative(process.cwd(), row.runDir)}` : ''),
          );
          return row;
        },
        interruptSignal,
        ({ entry }) => runClaim(entry.scenario),
      );
      const wallSeconds = (Date.now() - started) / 1000;
      const deviations = rows.filter((r) => !r.ok);
      if (options.json) stdout(JSON.stringify({ runs: rows.length, deviations: deviations.length, rows }, null, 2));
      else {
        const total = rows.reduce((s, r) => s + r.seconds, 0);
        const parallel = options.parallel > 1 ? `, ${options.parallel} at a time, ${wallSeconds.toFixed(0)}s in all` : '';
        stdout(`dev check: ${rows.length} runs over ${entries.length} exercise${entries.length === 1 ? '' : 's'} x ${options.repeat} repeat${options.repeat === 1 ? '' : 's'}, ${deviations.length} deviation${deviations.length === 1 ? '' : 's'} (${total.toFixed(0)}s of runs${parallel})`);
      }
      if (deviations.length > 0) throw new ExitError('fail');
    });
}

export function devCommand(): Command {
  return new Command('dev').description('tools for exercise authors').addCommand(devCheckCommand());
}
