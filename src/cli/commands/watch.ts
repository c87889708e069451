/**
 * brokerlab watch [exercise] [--manual]
 *
 * Grades an exercise (default: the next one to do), then again every time a file in its
 * folder is saved. The first grading prints the full report; later ones print only what
 * changed (see cli/changes.ts). When the exercise passes, it says so and moves on to the next
 * exercise, watching that one's folder (grading it at its first save: its untouched starter
 * would only fail).
 *
 * Where files cannot be watched (fs.watch fails, e.g. ENOSPC), or with --manual: Enter grades
 * again, q then Enter quits. Enter and q work in watch mode too. Ctrl-C stops the running
 * grading (which cleans up) and exits 130.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import chalk from 'chalk';
import { Command } from 'commander';
import { type CatalogEntry, findExercise, loadCatalog } from '../../catalog/load.js';
import { InterruptedError, UsageError, asBrokerlabError } from '../../errors.js';
import { formatReport } from '../../reporters/console.js';
import type { RunResult } from '../../runner/run.js';
import { loadProgress, nextExercise, statusOf } from '../../workspace/progress.js';
import { type Workspace, exerciseDir, findWorkspace } from '../../workspace/workspace.js';
import { diffGradings, formatChanges, needsFullReport } from '../changes.js';
import { gradeExercise } from '../grade.js';
import { interruptSignal } from '../interrupt.js';
import { progressPrinter } from '../output.js';
import { type FolderWatcher, watchFolder } from '../watcher.js';

interface WatchOptions {
  manual?: boolean;
  json?: boolean;
  quiet?: boolean;
}

type WatchEvent =
  | { type: 'grade'; why: string }
  | { type: 'quit' }
  | { type: 'unknown-input'; line: string }
  | { type: 'end-of-input' }
  | { type: 'watch-failed'; reason: string }
  | { type: 'interrupt' };

/** Events from the watcher, stdin and Ctrl-C, taken one at a time by the main loop. */
class EventQueue {
  private items: WatchEvent[] = [];
  private waiting: ((event: WatchEvent) => void) | undefined;

  push(event: WatchEvent): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting(event);
    } else {
      this.items.push(event);
    }
  }

  next(): Promise<WatchEvent> {
    const event = this.items.shift();
    if (event) return Promise.resolve(event);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** A grading that starts now sees every save made so far: queued requests are covered. */
  dropGradeRequests(): void {
    this.items = this.items.filter((event) => event.type !== 'grade');
  }
}

/** The exercise after `entry` in curriculum order that is not done yet, else any not done. */
function exerciseAfter(entry: CatalogEntry, workspace: Workspace): CatalogEntry | undefined {
  const catalog = loadCatalog();
  const progress = loadProgress(workspace);
  const index = catalog.findIndex((e) => e.scenario.id === entry.scenario.id);
  const later = catalog.slice(index + 1).find((e) => statusOf(progress, e.scenario.id) !== 'done');
  return later ?? nextExercise(catalog, progress);
}

function relative(file: string): string {
  return path.relative(process.cwd(), file) || '.';
}

function timeOfDay(): string {
  return new Date().toTimeString().slice(0, 8);
}

export function watchCommand(): Command {
  return new Command('watch')
    .description('grade an exercise, then again each time you save a file in its folder; moves on when it passes')
    .argument('[exercise]', 'exercise id (default: the next one to do, see `brokerlab list`)')
    .option('--manual', 'do not watch files: press Enter to grade again, q then Enter to quit')
    .option('--json', 'print one JSON line per event (each grading: results.json and what changed)')
    .option('-q, --quiet', 'no progress lines')
    .action(async (exercise: string | undefined, options: WatchOptions) => {
      await new WatchSession(options).run(exercise);
    });
}

class WatchSession {
  private readonly events = new EventQueue();
  private readonly workspace = findWorkspace();
  private readonly progress: (message: string) => void;
  private manual: boolean;
  private inputEnded = false;
  private watcher: FolderWatcher | undefined;
  /** The folder being watched (or, in manual mode, the one graded). */
  private watchedDir: string | undefined;

  constructor(private readonly options: WatchOptions) {
    this.manual = options.manual === true;
    this.progress = progressPrinter(options);
  }

  /** Text for the learner: stdout, or stderr with --json so stdout stays JSON lines. */
  private say(text: string): void {
    (this.options.json ? process.stderr : process.stdout).write(`${text}\n`);
  }

  private emit(event: Record<string, unknown>): void {
    if (this.options.json) process.stdout.write(`${JSON.stringify(event)}\n`);
  }

  async run(exercise: string | undefined): Promise<void> {
    const entry: CatalogEntry | undefined = exercise ? findExercise(exercise) : nextExercise(loadCatalog(), loadProgress(this.workspace));
    if (!entry) {
      this.say(chalk.green('Every exercise is solved: there is nothing left to watch. Well done!'));
      this.emit({ event: 'all-done' });
      return;
    }
    this.requireFolder(entry);

    const input = createInterface({ input: process.stdin, terminal: false });
    // terminal: false leaves the terminal in cooked mode, so Ctrl-C stays a real SIGINT
    // (handled by cli/interrupt.ts) instead of being swallowed as a readline keypress.
    input.on('line', (line) => {
      const text = line.trim().toLowerCase();
      if (text === '') this.events.push({ type: 'grade', why: 'Enter pressed' });
      else if (text === 'q' || text === 'quit' || text === 'exit') this.events.push({ type: 'quit' });
      else this.events.push({ type: 'unknown-input', line: text });
    });
    input.on('close', () => this.events.push({ type: 'end-of-input' }));
    const onInterrupt = (): void => this.events.push({ type: 'interrupt' });
    interruptSignal.addEventListener('abort', onInterrupt, { once: true });

    try {
      await this.loop(entry);
    } finally {
      this.watcher?.close();
      input.close();
      interruptSignal.removeEventListener('abort', onInterrupt);
    }
  }

  private requireFolder(entry: CatalogEntry): void {
    const dir = exerciseDir(this.workspace, entry);
    if (!isDirectory(dir)) {
      throw new UsageError(
        `the folder of ${entry.scenario.id} is missing: ${relative(dir)}`,
        this.workspace.initialised ? `Put its files back with \`brokerlab reset ${entry.scenario.id}\`.` : undefined,
      );
    }
  }

  private async loop(first: CatalogEntry): Promise<void> {
    let entry = first;
    let previous: RunResult | undefined;
    this.startWatching(entry);
    // The first grading needs no trigger; 'start' also tells grade() not to print a header.
    let pending: WatchEvent | undefined = { type: 'grade', why: 'start' };
    for (;;) {
      const event = pending ?? (await this.events.next());
      pending = undefined;
      switch (event.type) {
        case 'interrupt':
          throw new InterruptedError('stopped watching');
        case 'quit':
          this.say('Stopped watching.');
          return;
        case 'end-of-input':
          this.inputEnded = true;
          // Without a watcher, input is the only way to ask for a grading: nothing more can come.
          if (this.manual) {
            this.say('Input closed: stopped watching.');
            return;
          }
          continue;
        case 'unknown-input':
          this.say(`"${event.line}" is not a command here: ${this.keysHelp()}`);
          continue;
        case 'watch-failed':
          this.switchToManual(event.reason);
          if (this.inputEnded) {
            this.say('Input is closed too, so nothing can ask for a grading: stopped watching.');
            return;
          }
          this.say(this.keysHelp());
          continue;
        case 'grade':
          break;
      }

      this.events.dropGradeRequests();
      const result = await this.grade(entry, previous, event.why);
      if (!result) {
        this.say(chalk.dim(this.keysHelp()));
        continue;
      }
      previous = result;
      if (result.verdict !== 'pass') {
        this.say(chalk.dim(this.keysHelp()));
        continue;
      }

      this.say(chalk.green.bold(`✔ Solved: ${entry.scenario.title} (${entry.scenario.id}).`));
      const next = exerciseAfter(entry, this.workspace);
      if (!next) {
        this.say(chalk.green('That was the last one: every exercise is solved. Well done!'));
        this.emit({ event: 'all-done' });
        return;
      }
      entry = next;
      previous = undefined;
      this.events.dropGradeRequests();
      this.requireFolder(entry);
      this.announce(entry);
      this.startWatching(entry);
      this.say(chalk.dim(this.keysHelp()));
    }
  }

  private announce(entry: CatalogEntry): void {
    const dir = exerciseDir(this.workspace, entry);
    this.say('');
    this.say(`Moving on to the next exercise: ${chalk.bold(entry.scenario.title)} ${chalk.dim(`(${entry.scenario.id}, week ${entry.scenario.week})`)}`);
    this.say(`  Read ${relative(path.join(dir, 'README.md'))}, then edit ${relative(path.join(dir, entry.scenario.learner.entry))}.`);
    this.say(`  It is graded when you save a file there${this.manual ? ' and press Enter' : ''}.`);
    this.emit({ event: 'next', exercise: entry.scenario.id, folder: dir });
  }

  private keysHelp(): string {
    if (this.manual) return 'Press Enter to grade again, q then Enter to quit.';
    const dir = this.watchedDir ? `${relative(this.watchedDir)}/` : 'the folder';
    return `Watching ${dir}: save a file to grade again (Enter grades now, q then Enter quits).`;
  }

  private startWatching(entry: CatalogEntry): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watchedDir = exerciseDir(this.workspace, entry);
    if (this.manual) return;
    const started = watchFolder(
      this.watchedDir,
      (file) => this.events.push({ type: 'grade', why: file ? `${file} saved` : 'a file was saved' }),
      (reason) => this.events.push({ type: 'watch-failed', reason }),
    );
    if ('error' in started) this.switchToManual(started.error);
    else this.watcher = started;
  }

  private switchToManual(reason: string): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.manual = true;
    this.say(chalk.yellow(`Cannot watch files here (${reason}); switching to manual mode.`));
    this.emit({ event: 'manual', reason });
  }

  /** One grading; undefined when it could not run (broker down, file missing): said, and
   *  the learner can fix it and try again. Ctrl-C and bugs end the command. */
  private async grade(entry: CatalogEntry, previous: RunResult | undefined, why: string): Promise<RunResult | undefined> {
    if (interruptSignal.aborted) throw new InterruptedError('stopped watching');
    if (why !== 'start') this.say(chalk.dim(`\n── ${timeOfDay()} ${why}: grading ${entry.scenario.id} again ──`));
    let graded;
    try {
      graded = await gradeExercise(this.workspace, entry, {}, this.progress);
    } catch (thrown) {
      const error = asBrokerlabError(thrown);
      if (!error || error.kind === 'interrupted') throw thrown;
      this.say(chalk.red(`brokerlab: ${error.message}`));
      if (error.hint) this.say(`  ${error.hint}`);
      this.emit({ event: 'error', exercise: entry.scenario.id, kind: error.kind, message: error.message });
      return undefined;
    }
    // Ctrl-C right as the run finished: it is cleaned up; stop here as promised.
    if (interruptSignal.aborted) throw new InterruptedError();
    const { result, json } = graded;
    if (this.options.json) {
      this.emit({
        event: 'graded',
        exercise: entry.scenario.id,
        verdict: result.verdict,
        changes: previous ? diffGradings(previous, result) : null,
        results: json,
      });
    } else if (needsFullReport(previous, result)) {
      this.say(formatReport(result));
    } else if (previous) {
      this.say(formatChanges(previous, result));
    }
    return result;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
