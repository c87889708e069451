/**
 * The learner's program, seen from outside: child processes, each in its own process group
 * (so a kill reaches anything it spawned, and Ctrl-C in the terminal reaches only the lab,
 * which then cleans up), with stdout/stderr kept in capped logs in the run directory
 * (capped-log.ts), and a memory limit (LEARNER_MEMORY_LIMIT_BYTES).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { PACKAGE_ROOT, brokerlabHome } from '../paths.js';
import { CappedLog } from './capped-log.js';
import type { HistoryRecorder, ProcessName } from './history.js';
import { killStragglers } from './stragglers.js';
import { recordLearnerEvent } from './learner-events.js';

/**
 * What each copy of the learner's program may allocate (RLIMIT_DATA: its heap and private
 * writable memory). Far above what any exercise needs (a copy uses 50 to 300 MiB, a JVM
 * included), so only a program that eats memory meets it: it then fails to allocate (Node:
 * "JavaScript heap out of memory", Python: MemoryError) and the run says so, instead of the
 * machine swapping or the kernel's OOM killer picking a broker. Its oom_score_adj is 1000 too:
 * if memory still runs out, the kernel kills the learner's program first.
 */
export const LEARNER_MEMORY_LIMIT_BYTES = 2 * 1024 * 1024 * 1024;

/** The shell line the program starts through: the limits, then `exec` (same pid, no extra
 *  process). A limit the system refuses is skipped rather than stopping the run. */
const WITH_LIMITS = `ulimit -d ${LEARNER_MEMORY_LIMIT_BYTES / 1024} 2>/dev/null; echo 1000 > /proc/self/oom_score_adj 2>/dev/null; exec "$@"`;

/** Node's native stack after a fatal error ("13: 0xf5144d  [node]", "----- Native stack trace -----"). */
const NATIVE_FRAME = /^\s*(\d+: 0x[0-9a-f]+\b|-+ Native stack trace -+$)/;

/** How long an exit waits for the last of the program's stderr to come through the pipe. */
const DRAIN_MS = 250;

/**
 * The last resort: learner processes that may still run, killed whenever brokerlab exits,
 * however it exits (a second Ctrl-C, the cleanup bound, a crash): a learner's program never
 * outlives the brokerlab that started it. ('exit' handlers run synchronously, as these kills do.)
 */
const mayStillRun = new Map<LearnerProcess, { pid: number; runId: string | undefined }>();
let killOnExitInstalled = false;

function killOnExit(): void {
  if (killOnExitInstalled) return;
  killOnExitInstalled = true;
  process.on('exit', () => {
    for (const { pid } of mayStillRun.values()) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const runId of new Set([...mayStillRun.values()].map((p) => p.runId))) if (runId) killStragglers(runId);
  });
}

/** How to start the learner's program. */
export interface LearnerCommand {
  /** argv[0] and its arguments. */
  argv: string[];
  cwd: string;
  /** For messages: "labs/redis-pubsub-notifier/notifier.ts" or the --cmd string. */
  label: string;
  /** A --cmd: run as given, so brokerlab's clients and Python are not on its import path. */
  asGiven?: boolean;
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
  return { argv: ['/bin/sh', '-c', cmd], cwd, label: cmd, asGiven: true };
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
  private readonly stdoutLog: CappedLog;
  private readonly stderrLog: CappedLog;

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
    this.stdoutLog = new CappedLog(this.stdoutPath);
    this.stderrLog = new CappedLog(this.stderrPath);
  }

  get stdoutPath(): string {
    return path.join(this.runDir, `${this.name}.stdout.log`);
  }
  get stderrPath(): string {
    return path.join(this.runDir, `${this.name}.stderr.log`);
  }
  /** Bytes its stdout / stderr log left out (see capped-log.ts). */
  get stdoutCut(): number {
    return this.stdoutLog.cut;
  }
  get stderrCut(): number {
    return this.stderrLog.cut;
  }
  /** The running program's process id (also its process group's: it starts a group of its
   *  own), or undefined when it is not running. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }
  /** True once the lab started it (a copy a scenario adds mid-run is not started at first). */
  get everStarted(): boolean {
    return this.starts > 0;
  }
  get exited(): Promise<ExitInfo> {
    return this.exitPromise ?? Promise.resolve({ code: null, signal: null, byLab: true });
  }

  start(): void {
    this.starts++;
    this.stoppingByLab = false;
    this.paused = false;
    const child = spawn('/bin/sh', ['-c', WITH_LIMITS, this.name, ...this.command.argv], {
      cwd: this.command.cwd,
      env: { ...learnerBaseEnv(), ...this.env, ...this.ownEnv, BROKERLAB_INSTANCE: String(this.instance), INSTANCE_ID: String(this.instance) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (child.stdout) void this.stdoutLog.attach(child.stdout);
    const stderrEnded = child.stderr ? this.stderrLog.attach(child.stderr) : Promise.resolve();
    this.child = child;
    if (child.pid !== undefined) {
      killOnExit();
      mayStillRun.set(this, { pid: child.pid, runId: this.env.BROKERLAB_RUN_ID });
    }
    recordLearnerEvent(this.history, this.name, { event: 'start', pid: child.pid, start: this.starts });
    this.exitPromise = new Promise((resolve) => {
      child.on('error', (error) => {
        recordLearnerEvent(this.history, this.name, { event: 'spawn-error', error: error.message });
        resolve({ code: null, signal: null, byLab: false });
      });
      child.on('exit', async (code, signal) => {
        const byLab = this.stoppingByLab;
        // What it said last may still be in the pipe; a helper it left holding the pipe
        // open must not hold up the exit, hence the bound.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([stderrEnded, new Promise((done) => (timer = setTimeout(done, DRAIN_MS)))]);
        clearTimeout(timer);
        // An exit of its own: what its stderr says about it goes into the history, so checks
        // can name the crash ("PRECONDITION_FAILED - unknown delivery tag 5").
        const said = byLab ? undefined : this.stderrHeadline();
        recordLearnerEvent(this.history, this.name, { event: 'exit', code, signal, byLab, ...(said ? { stderr: said.trim().slice(0, 300) } : {}) });
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

  /** Each time a stop's SIGTERM went unanswered for its grace (in ms) and SIGKILL ended the
   *  program: the run says so in a note. */
  readonly ignoredSigterm: number[] = [];

  /** SIGTERM, then SIGKILL after `graceMs`: lets clients leave groups and close cleanly. */
  async stop(graceMs = 3_000): Promise<void> {
    if (!this.child) return;
    this.stoppingByLab = true;
    // A stopped process cannot act on SIGTERM: let it go on first.
    this.resume();
    if (this.running) this.signalGroup('SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) this.ignoredSigterm.push(graceMs);
      this.signalGroup('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    // Anything the program forked into its group dies with it, even if the leader is gone.
    this.signalGroup('SIGKILL');
  }

  /** The line of stderr most likely to say what went wrong: the last error or exception line
   *  ("Error: connect ECONNREFUSED ..."), else the last line with some text in it. */
  stderrHeadline(): string | undefined {
    // Raw: callers quote it with JSON.stringify, which escapes control characters itself.
    const lines = this.stderrLines(40);
    return [...lines].reverse().find((l) => /\b\w*(Error|Exception)\b|FATAL ERROR/.test(l)) ?? [...lines].reverse().find((l) => l.trim().length > 3);
  }

  /** The last few telling lines of stderr, for "your program crashed" messages: stack
   *  frames, carets and Node's version banner are left out (the log has them all). Control
   *  characters are shown escaped ("\u001b[2J"): reports quote these lines in the learner's
   *  terminal, which a program's escape sequences must not clear or recolour. */
  stderrTail(lines = 4): string[] {
    return this.stderrLines(lines).map((l) => l.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }

  private stderrLines(lines: number): string[] {
    return this.stderrLog
      .lastText()
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^\s+at /.test(l) && !/^\s*\^+\s*$/.test(l) && !/^Node\.js v\d/.test(l) && !NATIVE_FRAME.test(l))
      .slice(-lines);
  }

  /** Once every process of the run is gone: the logs get their tails and are closed. */
  async closeLogs(): Promise<void> {
    mayStillRun.delete(this);
    await Promise.all([this.stdoutLog.close(), this.stderrLog.close()]);
  }
}

/** All copies of the learner's program in one run. */
export class LearnerGroup {
  readonly processes: LearnerProcess[];

  /** `roles`: copy N gets ROLE=roles[N-1] (copies that play different parts). */
  constructor(command: LearnerCommand, env: Record<string, string>, instances: number, runDir: string, history: HistoryRecorder, roles?: readonly string[]) {
    this.processes = Array.from({ length: instances }, (_, i) => new LearnerProcess(i + 1, command, env, runDir, history, roles?.[i] === undefined ? {} : { ROLE: roles[i] as string }));
  }

  /** Starts every copy, or only the first `count` (a scenario that scales out mid-run starts
   *  the others later: faults/scale-learner.ts). */
  startAll(count = this.processes.length): void {
    for (const p of this.processes.slice(0, count)) p.start();
  }

  /** The copies running now, in instance order. */
  running(): LearnerProcess[] {
    return this.processes.filter((p) => p.running);
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

  async closeLogs(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.closeLogs()));
  }
}
