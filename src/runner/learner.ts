/**
 * The learner's program, seen from outside: child processes, each in its own process group
 * (so a kill reaches anything it spawned, and Ctrl-C in the terminal reaches only the lab,
 * which then cleans up), with stdout/stderr appended to files in the run directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { PACKAGE_ROOT, brokerlabHome } from '../paths.js';
import type { HistoryRecorder, ProcessName } from './history.js';

/** How to start the learner's program. */
export interface LearnerCommand {
  /** argv[0] and its arguments. */
  argv: string[];
  cwd: string;
  /** For messages: "labs/redis-pubsub-notifier/notifier.ts" or the --cmd string. */
  label: string;
}

/**
 * `--import` for learner-hooks.ts (an ES module, whatever folder the file is in; the clients
 * from brokerlab's dependencies; the exercise's given files when the folder lacks them).
 */
function hooksImport(given: string | undefined): string {
  const hooks = new URL('./learner-hooks.js', import.meta.url).href;
  const code = `import{register}from"node:module";register(${JSON.stringify(hooks)},{data:${JSON.stringify({ root: PACKAGE_ROOT, given: given ?? null })}});`;
  return `data:text/javascript,${encodeURIComponent(code)}`;
}

/** The Python with the clients (scripts/install.sh makes it), else the machine's python3. */
export function pythonFor(): string {
  const venv = path.join(brokerlabHome(), 'python', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

const RUNNERS: Record<string, (file: string, given: string | undefined) => string[]> = {
  // tsx is brokerlab's own dependency, resolved absolutely so a learner's folder needs no
  // node_modules of its own for it.
  '.ts': (file, given) => [process.execPath, '--import', import.meta.resolve('tsx'), '--import', hooksImport(given), file],
  '.mts': (file, given) => [process.execPath, '--import', import.meta.resolve('tsx'), '--import', hooksImport(given), file],
  '.js': (file, given) => [process.execPath, '--import', hooksImport(given), file],
  '.mjs': (file, given) => [process.execPath, '--import', hooksImport(given), file],
  '.py': (file) => [pythonFor(), '-u', file],
};

/**
 * The environment the learner's program starts from: ours, without brokerlab's own
 * settings (BROKERLAB_RUNS_DIR, BROKERLAB_PROGRESS, broker URLs with admin credentials...).
 * The program gets only what the run hands it, so it cannot find the run directory or the
 * progress file to write its own verdict there.
 */
function learnerBaseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('BROKERLAB_')));
}

/** A solution file becomes a command by its extension; `--cmd` is run by the shell.
 *  `given`: the exercise's folder of given files (labs/<id>/), which imports fall back to. */
export function commandForFile(file: string, given?: string): LearnerCommand {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new UsageError(`solution file not found: ${file}`);
  const runner = RUNNERS[path.extname(absolute)];
  if (!runner) {
    throw new UsageError(
      `don't know how to run ${path.basename(file)} (known: ${Object.keys(RUNNERS).join(', ')}). Use --cmd "..." to give the command yourself.`,
    );
  }
  return { argv: runner(absolute, given), cwd: path.dirname(absolute), label: path.relative(process.cwd(), absolute) || absolute };
}

export function commandForShell(cmd: string, cwd = process.cwd()): LearnerCommand {
  if (cmd.trim() === '') throw new UsageError('--cmd is empty');
  return { argv: ['/bin/sh', '-c', cmd], cwd, label: cmd };
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the lab itself killed or stopped it. */
  byLab: boolean;
}

/** One running copy of the learner's program (instance 1..N). */
export class LearnerProcess {
  readonly name: ProcessName;
  private child: ChildProcess | undefined;
  private exitPromise: Promise<ExitInfo> | undefined;
  private stoppingByLab = false;
  private starts = 0;
  private paused = false;

  constructor(
    readonly instance: number,
    private readonly command: LearnerCommand,
    private readonly env: Record<string, string>,
    private readonly runDir: string,
    private readonly history: HistoryRecorder,
    /** This copy's own variables (its ROLE). */
    private readonly ownEnv: Record<string, string> = {},
  ) {
    this.name = `learner-${instance}`;
  }

  get stdoutPath(): string {
    return path.join(this.runDir, `${this.name}.stdout.log`);
  }
  get stderrPath(): string {
    return path.join(this.runDir, `${this.name}.stderr.log`);
  }
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }
  get exited(): Promise<ExitInfo> {
    return this.exitPromise ?? Promise.resolve({ code: null, signal: null, byLab: true });
  }

  start(): void {
    this.starts++;
    this.stoppingByLab = false;
    this.paused = false;
    const out = openSync(this.stdoutPath, 'a');
    const err = openSync(this.stderrPath, 'a');
    const [file, ...args] = this.command.argv;
    const child = spawn(file ?? '/bin/false', args, {
      cwd: this.command.cwd,
      env: { ...learnerBaseEnv(), ...this.env, ...this.ownEnv, BROKERLAB_INSTANCE: String(this.instance), INSTANCE_ID: String(this.instance) },
      stdio: ['ignore', out, err],
      detached: true,
    });
    closeSync(out);
    closeSync(err);
    this.child = child;
    this.history.record({ process: this.name, kind: 'process', outcome: 'ok', value: { event: 'start', pid: child.pid, start: this.starts } });
    this.exitPromise = new Promise((resolve) => {
      child.on('error', (error) => {
        this.history.record({ process: this.name, kind: 'process', outcome: 'fail', value: { event: 'spawn-error', error: error.message } });
        resolve({ code: null, signal: null, byLab: false });
      });
      child.on('exit', (code, signal) => {
        const byLab = this.stoppingByLab;
        // An exit of its own: what its stderr says about it goes into the history, so checks
        // can name the crash ("PRECONDITION_FAILED - unknown delivery tag 5").
        const said = byLab ? undefined : this.stderrHeadline();
        this.history.record({ process: this.name, kind: 'process', outcome: byLab ? 'ok' : 'fail', value: { event: 'exit', code, signal, byLab, ...(said ? { stderr: said.trim().slice(0, 300) } : {}) } });
        resolve({ code, signal, byLab });
      });
    });
  }

  /** Signals the whole process group; ignores a group that is already gone. */
  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already exited
    }
  }

  /** SIGSTOP the whole group: the program stands still, holding whatever it holds (its
   *  connections stay open, its heartbeats stop). */
  pause(): void {
    this.paused = true;
    this.signalGroup('SIGSTOP');
  }

  /** SIGCONT: the program carries on where it stood. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.signalGroup('SIGCONT');
  }

  /** SIGKILL now (a crash, as far as the learner's program can tell). */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.stoppingByLab = true;
    this.paused = false; // SIGKILL ends a stopped process too
    this.signalGroup('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`: lets clients leave groups and close cleanly. */
  async stop(graceMs = 3_000): Promise<void> {
    if (!this.child) return;
    this.stoppingByLab = true;
    // A stopped process cannot act on SIGTERM: let it go on first.
    this.resume();
    if (this.running) this.signalGroup('SIGTERM');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // Anything the program forked into its group dies with it, even if the leader is gone.
    this.signalGroup('SIGKILL');
  }

  /** The line of stderr most likely to say what went wrong: the last error or exception line
   *  ("Error: connect ECONNREFUSED ..."), else the last line with some text in it. */
  stderrHeadline(): string | undefined {
    const lines = this.stderrTail(40);
    return [...lines].reverse().find((l) => /\b\w*(Error|Exception)\b/.test(l)) ?? [...lines].reverse().find((l) => l.trim().length > 3);
  }

  /** The last few telling lines of stderr, for "your program crashed" messages: stack
   *  frames, carets and Node's version banner are left out (the log has them all). */
  stderrTail(lines = 4): string[] {
    try {
      return readFileSync(this.stderrPath, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '' && !/^\s+at /.test(l) && !/^\s*\^+\s*$/.test(l) && !/^Node\.js v\d/.test(l))
        .slice(-lines);
    } catch {
      return [];
    }
  }
}

/** All copies of the learner's program in one run. */
export class LearnerGroup {
  readonly processes: LearnerProcess[];

  /** `roles`: copy N gets ROLE=roles[N-1] (copies that play different parts). */
  constructor(command: LearnerCommand, env: Record<string, string>, instances: number, runDir: string, history: HistoryRecorder, roles?: readonly string[]) {
    this.processes = Array.from({ length: instances }, (_, i) => new LearnerProcess(i + 1, command, env, runDir, history, roles?.[i] === undefined ? {} : { ROLE: roles[i] as string }));
  }

  startAll(): void {
    for (const p of this.processes) p.start();
  }

  get(instance: number): LearnerProcess {
    const found = this.processes.find((p) => p.instance === instance) ?? this.processes[0];
    if (!found) throw new Error('no learner processes');
    return found;
  }

  /** Resolves with the first process that exits without the lab having asked it to. */
  firstUnexpectedExit(): Promise<LearnerProcess> {
    return new Promise((resolve) => {
      for (const p of this.processes) {
        void p.exited.then((info) => {
          if (!info.byLab) resolve(p);
        });
      }
    });
  }

  async stopAll(graceMs?: number): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop(graceMs)));
  }
}
