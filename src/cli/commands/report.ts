/**
 * brokerlab report [run] [--print] [--json]
 *
 * Opens a graded run's report.html (the newest run by default) in the browser when there is
 * a display to show it on; otherwise, and with --print, prints its absolute path. Runs made
 * before report.html existed get one rebuilt from their results.json and history.jsonl.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { findExercise } from '../../catalog/load.js';
import type { CheckResult } from '../../checks/types.js';
import { UsageError } from '../../errors.js';
import { runsDir } from '../../paths.js';
import { toHtmlReport } from '../../reporters/html.js';
import type { ResultsJson } from '../../reporters/results-json.js';
import type { History, Operation } from '../../runner/history.js';
import type { RunResult } from '../../runner/run.js';
import { findWorkspace } from '../../workspace/workspace.js';
import { stdout } from '../output.js';

interface ReportOptions {
  print?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function reportCommand(): Command {
  return new Command('report')
    .description("open a run's HTML report (default: the newest run), or print its path")
    .argument('[run]', 'a run id or a run directory (default: latest)')
    .option('--print', 'print the path instead of opening it')
    .option('--json', 'print {"path": ...}')
    .option('-q, --quiet', 'print only the path, never open a browser (as --print)')
    .action(async (run: string | undefined, options: ReportOptions) => {
      const dir = resolveRunDir(run, runsDir(findWorkspace().root));
      const report = ensureReport(dir);
      if (options.json) return stdout(JSON.stringify({ path: report }));
      const display = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
      if (!options.print && !options.quiet && display && process.stdout.isTTY && (await openInBrowser(report))) {
        process.stderr.write(`opened ${report}\n`);
        return;
      }
      stdout(report);
    });
}

/** A run id (a folder of the runs directory), a path to a run directory, or the newest run. */
export function resolveRunDir(run: string | undefined, runs: string): string {
  const candidates = run === undefined ? [path.join(runs, 'latest')] : [path.resolve(run), path.join(runs, run)];
  for (const candidate of candidates) {
    if (isDirectory(candidate)) return realpathSync(candidate);
  }
  const newest = runIds(runs).slice(0, 3);
  const suggestion = newest.length > 0 ? `newest: ${newest.join(', ')}` : 'no runs yet; `brokerlab check <exercise>` makes one';
  const where = path.relative(process.cwd(), runs) || runs;
  throw new UsageError(run === undefined ? `no latest run in ${where} (${suggestion})` : `no run "${run}" in ${where} (${suggestion})`);
}

/** Run ids, newest first: they start with the run's UTC time, so names sort by age. */
function runIds(runs: string): string[] {
  try {
    return readdirSync(runs)
      .filter((name) => name !== 'latest' && isDirectory(path.join(runs, name)))
      .sort()
      .reverse();
  } catch {
    return [];
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The run's report.html, written first from results.json + history.jsonl if it is missing. */
export function ensureReport(dir: string): string {
  const report = path.join(dir, 'report.html');
  if (existsSync(report)) return report;
  const resultsPath = path.join(dir, 'results.json');
  const historyPath = path.join(dir, 'history.jsonl');
  if (!existsSync(resultsPath) || !existsSync(historyPath)) {
    throw new UsageError(`${dir} has no report.html, and no results.json and history.jsonl to build one from (was the run interrupted?)`);
  }
  // Files of the learner's folder, which anything may have damaged since the run wrote them.
  let history: History;
  let json: ResultsJson;
  try {
    history = readHistory(historyPath);
    json = JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsJson;
  } catch (error) {
    throw new UsageError(`${dir} has no report.html, and its results.json or history.jsonl is damaged (${(error as Error).message}), so none can be built`);
  }
  const b = json?.brokerlab as Partial<ResultsJson['brokerlab']> | undefined;
  if (typeof b !== 'object' || b === null || typeof b.exercise !== 'string' || typeof b.score !== 'object' || !Array.isArray(b.notes) || !Array.isArray(json.tests)) {
    throw new UsageError(`${dir} has no report.html, and its results.json is not one brokerlab wrote (no "brokerlab" block or "tests"), so none can be built`);
  }
  const result = resultFromJson(json, dir, history);
  writeFileSync(report, toHtmlReport(result, history));
  return report;
}

function readHistory(file: string): History {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Operation);
}

/** Rebuilds a RunResult from results.json. Its messages read "Expected: x.\nObserved: y.\n
 *  Hint: z" (see results-json.ts); a passed check has none, so its expected/observed stay
 *  empty. The exercise title is not in results.json: it comes from the catalog. */
export function resultFromJson(json: ResultsJson, dir: string, history: History): RunResult {
  const b = json.brokerlab;
  const checks: CheckResult[] = json.tests.map((t) => {
    const lines = (t.message ?? '').split('\n');
    const field = (prefix: string) => lines.find((l) => l.startsWith(prefix))?.slice(prefix.length).replace(/\.$/, '') ?? '';
    const hint = lines.find((l) => l.startsWith('Hint: '))?.slice('Hint: '.length);
    return {
      name: t.test_code,
      title: t.name,
      status: t.status === 'error' ? 'unknown' : t.status,
      expected: field('Expected: '),
      observed: field('Observed: '),
      examples: t.output ? t.output.split('\n') : [],
      ...(hint ? { hint } : {}),
      weight: t.max_score,
    };
  });
  let title = b.exercise;
  try {
    title = findExercise(b.exercise).scenario.title;
  } catch {
    // an exercise that no longer exists keeps its id as the title
  }
  return { runId: b.runId, exercise: b.exercise, title, solution: b.solution, verdict: b.verdict, summary: b.summary, checks, score: b.score, durationMs: b.durationMs, runDir: dir, notes: b.notes, history };
}

/** xdg-open in the background; false when it cannot be started (then the path is printed). */
function openInBrowser(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('xdg-open', [file], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
