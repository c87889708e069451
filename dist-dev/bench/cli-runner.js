/**
 * Runs the real `brokerlab` binary the way a learner or the lead would, for `npm run bench`:
 * wall time from spawn to exit (Node's start-up included, because a learner waits for it too),
 * with a throwaway runs directory and progress file so the repository's own stay untouched.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PACKAGE_ROOT } from '../paths.js';
export const CLI = path.join(PACKAGE_ROOT, 'bin', 'brokerlab.js');
/** Environment for a measured run: no colour, artifacts and progress in a temporary folder. */
export function benchEnv(extra = {}) {
    const scratch = mkdtempSync(path.join(tmpdir(), 'brokerlab-bench-'));
    return {
        ...process.env,
        NO_COLOR: '1',
        BROKERLAB_RUNS_DIR: path.join(scratch, 'runs'),
        BROKERLAB_PROGRESS: path.join(scratch, 'progress.json'),
        ...extra,
    };
}
export function spawnCli(args, env = benchEnv()) {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: PACKAGE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk) => (stderr += chunk.toString()));
    const done = new Promise((resolve) => {
        child.once('error', (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}`, wallMs: performance.now() - started }));
        child.once('close', (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - started }));
    });
    return { child, done };
}
export function runCli(args, env) {
    return spawnCli(args, env).done;
}
/** The last non-empty line of a command's stderr, for notes ("brokerlab: Redis is not reachable ..."). */
export function lastLine(text) {
    const lines = text.trim().split('\n').filter((l) => l.trim() !== '');
    return (lines[lines.length - 1] ?? '').trim();
}
//# sourceMappingURL=cli-runner.js.map