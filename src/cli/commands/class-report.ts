/**
 * brokerlab class report <results...> [--out DIR] [--json] [--quiet]
 *
 * For mentors: merges many learners' results.json files (of `brokerlab check` runs, or the
 * combined ones `brokerlab grade` writes in CI) into a class dashboard: class-report.html (a
 * learners × exercises grid and where the class is stuck) and class-report.csv (one row per
 * learner). Arguments are files or folders, searched recursively for results.json.
 *
 * Who a file belongs to: its `brokerlab.learner`, else the folder it came from: the folder a
 * file argument is in (submissions/alice/results.json is alice's), or for a folder argument the
 * first folder under it (downloads/alice/brokerlab-results/results.json is alice's). The
 * merging itself is src/reporters/class-report-model.ts.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { makeDir } from '../../dirs.js';
import path from 'node:path';
import { Command } from 'commander';
import { CURRICULUM, curriculumExerciseIds } from '../../catalog/curriculum.js';
import { loadCatalog } from '../../catalog/load.js';
import { UsageError } from '../../errors.js';
import { toClassReportCsv } from '../../reporters/class-report-csv.js';
import { toClassReportHtml } from '../../reporters/class-report-html.js';
import { type CatalogExercise, type Submission, buildClassReport, parseResults } from '../../reporters/class-report-model.js';
import { toClassReportText } from '../../reporters/class-report-text.js';
import { stdout } from '../output.js';

interface ClassReportOptions {
  out: string;
  json?: boolean;
  quiet?: boolean;
}

const RESULTS_FILE = 'results.json';
/** Folders never searched: dependencies and git internals hold no learner's results. */
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

export function classReportCommand(): Command {
  return new Command('report')
    .description("merge learners' results.json files into a class dashboard (class-report.html and .csv)")
    .argument('<results...>', 'results.json files, or folders to search for them')
    .option('--out <dir>', 'where to write class-report.html and class-report.csv', 'class-report')
    .option('--json', 'print the merged report as JSON')
    .option('-q, --quiet', 'print only the path of class-report.html')
    .action((inputs: string[], options: ClassReportOptions) => {
      // A file named twice (itself, and inside a folder also given) counts once.
      const found = [...new Map(inputs.flatMap(findResults).map((f) => [f.file, f])).values()];
      const skipped: Array<{ file: string; reason: string }> = [];
      const submissions: Submission[] = [];
      for (const { file, learner } of found) {
        const parsed = readResults(file, learner);
        if (parsed.ok) submissions.push(...parsed.submissions);
        else {
          skipped.push({ file, reason: parsed.reason });
          // A mentor's download folder may hold other JSON: say so, and go on.
          process.stderr.write(`brokerlab: skipped ${shown(file)}: ${parsed.reason}\n`);
        }
      }
      if (submissions.length === 0) {
        throw new UsageError(
          found.length === 0 ? `no ${RESULTS_FILE} in ${inputs.join(', ')}` : `no usable ${RESULTS_FILE} in ${inputs.join(', ')} (${found.length} skipped)`,
          'Give it the results.json files of `brokerlab check` or `brokerlab grade`, or folders that contain them.',
        );
      }

      const report = buildClassReport(submissions, catalogExercises());
      const out = path.resolve(options.out);
      makeDir(out);
      const html = path.join(out, 'class-report.html');
      const csv = path.join(out, 'class-report.csv');
      const sources = new Set(submissions.map((s) => s.source)).size;
      writeFileSync(html, toClassReportHtml(report, { generatedAt: new Date().toISOString(), sources }));
      writeFileSync(csv, toClassReportCsv(report));

      if (options.json) {
        stdout(JSON.stringify({ ...report, sources, skipped, files: { html, csv } }, null, 2));
        return;
      }
      if (options.quiet) {
        stdout(html);
        return;
      }
      stdout(`${toClassReportText(report)}\n\nwrote ${shown(html)}\n      ${shown(csv)}`);
    });
}

/** The exercises brokerlab knows, in curriculum order, for the report's column order. */
function catalogExercises(): CatalogExercise[] {
  const entries = loadCatalog().map((e) => ({ id: e.scenario.id, title: e.scenario.title, week: e.scenario.week }));
  const order = curriculumExerciseIds(CURRICULUM);
  const rank = (id: string) => {
    const i = order.indexOf(id);
    return i === -1 ? Infinity : i;
  };
  return entries.sort((a, b) => rank(a.id) - rank(b.id));
}

interface Found {
  file: string;
  learner: string;
}

/** The results files an argument names, each with the learner its location names. */
function findResults(input: string): Found[] {
  const target = path.resolve(input);
  let stat;
  try {
    stat = statSync(target);
  } catch {
    throw new UsageError(`${input}: no such file or folder`);
  }
  if (!stat.isDirectory()) return [{ file: target, learner: path.basename(path.dirname(target)) }];
  return walk(target).map((file) => ({ file, learner: learnerUnder(target, file) }));
}

/**
 * The first folder under the root names the learner. A hidden first folder (a workspace's
 * .brokerlab/runs/...) means the root itself is one learner's folder, so it names them; so
 * does a results.json right in the root.
 */
export function learnerUnder(root: string, file: string): string {
  const first = path.relative(root, path.dirname(file)).split(path.sep)[0] ?? '';
  return first === '' || first.startsWith('.') ? path.basename(root) : first;
}

/** Every results.json under dir, sorted; symlinks are not followed (a workspace's runs/latest
 *  points at a run that is listed anyway, and links could loop). */
function walk(dir: string): string[] {
  const found: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    process.stderr.write(`brokerlab: skipped ${shown(dir)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return found;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) found.push(...walk(full));
    else if (entry.isFile() && entry.name === RESULTS_FILE) found.push(full);
  }
  return found;
}

function readResults(file: string, learner: string): ReturnType<typeof parseResults> {
  let text: string;
  let mtimeMs: number;
  try {
    text = readFileSync(file, 'utf8');
    mtimeMs = statSync(file).mtimeMs;
  } catch (error) {
    return { ok: false, reason: `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${(error as Error).message.split('\n')[0]})` };
  }
  return parseResults(json, { file, learner, mtimeMs });
}

/** A path as the mentor typed it or would: relative to the current folder when inside it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
