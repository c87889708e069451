/** Runs the real CLI binary, as a learner or a CI job would. */
import { type SpawnOptions, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '..');
export const BIN = path.join(REPO, 'bin', 'brokerlab.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh runs directory per test, so artifacts never mix. */
export function tempRunsDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'brokerlab-runs-'));
}

/** A fresh progress file per call (it does not exist yet): with the repository as the
 *  workspace, `check` records progress, and tests must never write the repository's own
 *  .brokerlab/progress.json (see BROKERLAB_PROGRESS in src/workspace/workspace.ts). */
export function tempProgressFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'brokerlab-progress-')), 'progress.json');
}

/** The real binary, in the repository by default (options.cwd to run elsewhere, e.g. in an
 *  initialised workspace, which keeps its own progress). */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}, options: SpawnOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1', BROKERLAB_RUNS_DIR: tempRunsDir(), BROKERLAB_PROGRESS: tempProgressFile(), ...env },
      ...options,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += String(d)));
    child.stderr?.on('data', (d) => (stderr += String(d)));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Processes whose command line mentions `needle` (ours excluded). */
export function processesMatching(needle: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(needle) && !line.includes('ps -eo'))
    .map((line) => line.trim());
}

/** True when a message is one line, without a stack trace. */
export function isOneCleanLine(text: string): boolean {
  const lines = text.trim().split('\n');
  return lines.length <= 2 && !/\n\s+at /.test(text) && !text.includes('node:internal');
}

/** A new, empty temporary folder. */
export function tempDir(prefix = 'brokerlab-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}
