/**
 * Where things live. The package root is found from this file's location so the same code
 * works from src/ (tests) and dist/ (the built CLI).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
function findPackageRoot() {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    while (!existsSync(path.join(dir, 'package.json'))) {
        const parent = path.dirname(dir);
        if (parent === dir)
            throw new Error('brokerlab: cannot find its own package.json');
        dir = parent;
    }
    return dir;
}
export const PACKAGE_ROOT = findPackageRoot();
export const SCENARIOS_DIR = path.join(PACKAGE_ROOT, 'scenarios');
export const LABS_DIR = path.join(PACKAGE_ROOT, 'labs');
/** Brokers' data, logs and installed jars: $BROKERLAB_HOME, default ~/.brokerlab. Read on
 *  every call so tests can point it elsewhere. */
export function brokerlabHome(env = process.env) {
    return path.resolve(env.BROKERLAB_HOME || path.join(homedir(), '.brokerlab'));
}
/** Where each graded run keeps its artifacts: BROKERLAB_RUNS_DIR, default
 *  <workspace>/.brokerlab/runs (see workspace/workspace.ts for which workspace). */
export function runsDir(workspaceRoot) {
    return process.env.BROKERLAB_RUNS_DIR ?? path.join(workspaceRoot, '.brokerlab', 'runs');
}
//# sourceMappingURL=paths.js.map