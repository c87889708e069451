/**
 * `brokerlab` with no arguments.
 *
 * In a terminal: an interactive menu. "Continue: <next exercise>", "Pick an exercise" (by
 * level and week, with ✔ done / ◐ attempted / ○ not started), and per exercise: read the
 * task, check it, get a hint, reset it, back. It loops until the learner quits.
 *
 * Without a terminal (CI, a pipe): the exercise list with statuses and the next step, exit 0,
 * so nothing ever waits for keys that cannot come.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Separator } from '@inquirer/prompts';
import chalk from 'chalk';
import { tildify } from '../../brokers/versions.js';
import { type CatalogEntry, loadCatalog } from '../../catalog/load.js';
import { ExitError, asBrokerlabError } from '../../errors.js';
import { formatReport } from '../../reporters/console.js';
import { showNextHint } from '../../workspace/hints.js';
import { type Plan, planWithProgress } from '../../workspace/plan.js';
import { type ExerciseStatus, loadProgress, nextExercise, statusOf } from '../../workspace/progress.js';
import { changedExerciseFiles, resetExercise } from '../../workspace/reset.js';
import { type Workspace, exerciseDir, findWorkspace, learnerFile } from '../../workspace/workspace.js';
import { gradeExercise } from '../grade.js';
import { progressPrinter, stdout } from '../output.js';

const MARK: Record<ExerciseStatus, string> = { done: '✔', attempted: '◐', 'not-started': '○' };

/** @inquirer/prompts, loaded on first use: most commands never ask anything. */
function prompts(): Promise<typeof import('@inquirer/prompts')> {
  return import('@inquirer/prompts');
}

function mark(status: ExerciseStatus): string {
  if (status === 'done') return chalk.green(MARK.done);
  if (status === 'attempted') return chalk.yellow(MARK.attempted);
  return chalk.dim(MARK['not-started']);
}

function relative(file: string): string {
  return path.relative(process.cwd(), file) || '.';
}

export async function runMenu(): Promise<void> {
  const workspace = findWorkspace();
  const catalog = loadCatalog();
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    stdout(overview(workspace, catalog));
    return;
  }
  try {
    await mainMenu(workspace, catalog);
  } catch (error) {
    // Ctrl-C inside a prompt: inquirer has the terminal in raw mode, so it arrives as this
    // error rather than as SIGINT. Leave quietly with the Ctrl-C exit code.
    if (error instanceof Error && error.name === 'ExitPromptError') throw new ExitError('interrupted');
    throw error;
  }
}

// --- without a terminal -----------------------------------------------------------------

/** The graded exercises by level and week, with statuses, and what to do next. */
export function overview(workspace: Workspace, catalog: readonly CatalogEntry[]): string {
  const progress = loadProgress(workspace);
  const plan = planWithProgress(catalog, progress);
  const lines = [chalk.bold(`brokerlab: ${plan.done} of ${plan.total} exercises done`) + chalk.dim(`  (${workspaceLabel(workspace)})`)];
  for (const { level, name, weeks } of plan.levels) {
    const rows: string[] = [];
    for (const { week, topics } of weeks) {
      for (const topic of topics) {
        if (!('id' in topic)) continue; // planned topics: `brokerlab progress` shows the whole plan
        rows.push(`  ${chalk.dim(`week ${week.padEnd(5)}`)} ${mark(topic.status)} ${topic.id.padEnd(26)} ${topic.title}`);
      }
    }
    if (rows.length > 0) lines.push('', chalk.bold(`Level ${level}${name ? `: ${name}` : ''}`), ...rows);
  }
  lines.push('', chalk.dim(`${MARK.done} done  ${MARK.attempted} attempted  ${MARK['not-started']} not started`), '');
  const next = nextExercise(catalog, progress);
  if (next) {
    lines.push(`Next: ${chalk.cyan(`brokerlab check ${next.scenario.id}`)}`);
    lines.push(chalk.dim(`  (edit ${relative(learnerFile(workspace, next))}; the README.md next to it says what to do)`));
  } else {
    lines.push(chalk.green('Every exercise is solved. Well done!'), chalk.dim('`brokerlab progress` shows the whole 14-week plan.'));
  }
  lines.push(chalk.dim('In a terminal, `brokerlab` opens a menu.'));
  return lines.join('\n');
}

function workspaceLabel(workspace: Workspace): string {
  return workspace.initialised ? `workspace ${tildify(workspace.root)}` : "this repository's labs/";
}

// --- the interactive menu ---------------------------------------------------------------

async function mainMenu(workspace: Workspace, catalog: readonly CatalogEntry[]): Promise<void> {
  // The prompts load only when the menu shows (see prompts() below).
  const { select } = await prompts();
  for (;;) {
    const progress = loadProgress(workspace);
    const plan = planWithProgress(catalog, progress);
    const next = nextExercise(catalog, progress);
    const choices = [
      ...(next
        ? [{ name: `Continue: ${next.scenario.title}`, value: 'continue', description: `${next.scenario.id}: ${next.scenario.summary}` }]
        : []),
      { name: 'Pick an exercise', value: 'pick', description: 'all exercises, by level and week' },
      { name: 'Quit', value: 'quit' },
    ];
    const done = next ? '' : ' Every exercise is solved!';
    const choice = await select({ message: `brokerlab: ${plan.done} of ${plan.total} exercises done.${done} What next?`, choices });
    if (choice === 'quit') return;
    const entry = choice === 'continue' && next ? next : await pickExercise(catalog, plan, next);
    if (entry) await exerciseMenu(workspace, entry);
  }
}

/** The exercise list with statuses, grouped by level and week; undefined for "Back". */
async function pickExercise(catalog: readonly CatalogEntry[], plan: Plan, next: CatalogEntry | undefined): Promise<CatalogEntry | undefined> {
  const { Separator, select } = await prompts();
  const choices: Array<Separator | { name: string; value: string; description?: string }> = [];
  for (const { level, name, weeks } of plan.levels) {
    const exercises = weeks.flatMap(({ week, topics }) => topics.flatMap((topic) => ('id' in topic ? [{ week, topic }] : [])));
    if (exercises.length === 0) continue;
    choices.push(new Separator(chalk.bold(`Level ${level}${name ? `: ${name}` : ''}`)));
    for (const { week, topic } of exercises) {
      const summary = catalog.find((e) => e.scenario.id === topic.id)?.scenario.summary;
      choices.push({ name: `${mark(topic.status)} week ${week.padEnd(5)} ${topic.title}`, value: topic.id, ...(summary ? { description: summary } : {}) });
    }
  }
  choices.push(new Separator(' '), { name: 'Back', value: '' });
  const id = await select({ message: 'Pick an exercise', choices, default: next?.scenario.id, pageSize: 15 });
  return catalog.find((e) => e.scenario.id === id);
}

type Action = 'read' | 'check' | 'hint' | 'reset' | 'back';

async function exerciseMenu(workspace: Workspace, entry: CatalogEntry): Promise<void> {
  const { select } = await prompts();
  const id = entry.scenario.id;
  let last: Action = 'read';
  for (;;) {
    const status = statusOf(loadProgress(workspace), id);
    const file = relative(learnerFile(workspace, entry));
    const action: Action = await select<Action>({
      message: `${mark(status)} ${entry.scenario.title} ${chalk.dim(`(${id}; you edit ${file})`)}`,
      choices: [
        { name: 'Read the task', value: 'read', description: 'its README.md' },
        { name: 'Check it', value: 'check', description: `grade ${file} against the real brokers` },
        { name: 'Get a hint', value: 'hint', description: 'the next hint, one at a time' },
        {
          name: 'Reset it',
          value: 'reset',
          description: 'put its files back as they were handed out',
          // In this repository labs/<id>/ is the catalog's own copy: nothing to reset it from.
          ...(workspace.initialised ? {} : { disabled: '(only in a workspace of your own: brokerlab init)' }),
        },
        { name: 'Back', value: 'back' },
      ],
      default: last,
    });
    if (action === 'back') return;
    last = action;
    try {
      if (action === 'read') readTask(workspace, entry);
      else if (action === 'check') await check(workspace, entry);
      else if (action === 'hint') hint(workspace, entry);
      else await reset(workspace, entry);
    } catch (thrown) {
      // A broker that is down or a missing file should not end the menu: say it, stay.
      const error = asBrokerlabError(thrown);
      if (!error || error.kind === 'interrupted') throw thrown;
      stdout(chalk.red(`brokerlab: ${error.message}`) + (error.hint ? `\n  ${error.hint}` : ''));
    }
  }
}

function readTask(workspace: Workspace, entry: CatalogEntry): void {
  const own = path.join(exerciseDir(workspace, entry), 'README.md');
  const readme = existsSync(own) ? own : path.join(entry.labDir, 'README.md');
  const rule = chalk.dim('─'.repeat(Math.min(process.stdout.columns || 80, 80)));
  stdout(`\n${rule}\n${readFileSync(readme, 'utf8').trimEnd()}\n${rule}\n${chalk.dim(`(${relative(readme)})`)}\n`);
}

async function check(workspace: Workspace, entry: CatalogEntry): Promise<void> {
  const { result } = await gradeExercise(workspace, entry, {}, progressPrinter({}));
  stdout(formatReport(result));
}

function hint(workspace: Workspace, entry: CatalogEntry): void {
  const { hints, shown, total, newlyShown } = showNextHint(workspace, entry);
  if (total === 0) {
    stdout(`\n${entry.scenario.id} has no hints yet; "Check it" gives a hint for every check that fails.\n`);
    return;
  }
  if (newlyShown) {
    stdout(`\n${chalk.bold(`Hint ${shown} of ${total}:`)}\n${hints[shown - 1] ?? ''}\n${chalk.dim(shown < total ? `(${total - shown} more: "Get a hint" again)` : '(that was the last one)')}\n`);
    return;
  }
  const all = hints.map((text, i) => `${chalk.bold(`${i + 1}.`)} ${text}`).join('\n\n');
  stdout(`\n${chalk.bold(`You have seen all ${total} hints:`)}\n\n${all}\n`);
}

async function reset(workspace: Workspace, entry: CatalogEntry): Promise<void> {
  const { confirm } = await prompts();
  const changed = changedExerciseFiles(workspace, entry);
  if (changed.length === 0) {
    stdout(`\nNothing to reset: the files of ${entry.scenario.id} are as they were handed out.\n`);
    return;
  }
  const sure = await confirm({
    message: `Put back the starter files of ${entry.scenario.id}? Your changes to ${changed.join(', ')} will be lost.`,
    default: false,
  });
  if (!sure) {
    stdout('Nothing was changed.');
    return;
  }
  const restored = resetExercise(workspace, entry);
  stdout(`\nRestored ${restored.length} ${restored.length === 1 ? 'file' : 'files'}: ${restored.join(', ')}\n`);
}
