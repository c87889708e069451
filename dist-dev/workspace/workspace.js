/**
 * Where a learner works. Two kinds of workspace, one shape:
 * - an initialised one (`brokerlab init [dir]`): a folder with brokerlab.json, the exercises
 *   copied into exercises/<id>/, progress in .brokerlab/progress.json;
 * - this repository itself, when no initialised workspace is found: the exercises are
 *   labs/<id>/ and progress goes to .brokerlab/progress.json here (as rustlings does).
 * Everything that needs "the learner's file" or "the progress" goes through this module.
 *
 * Environment:
 * - BROKERLAB_WORKSPACE: look for the workspace there instead of the current directory.
 * - BROKERLAB_PROGRESS: the progress file to use when no initialised workspace is found
 *   (default: .brokerlab/progress.json of this repository). An initialised workspace always
 *   keeps its progress inside itself, because its progress is part of it (it is committed,
 *   and its CI workflow reads it). The test helpers set this variable so that tests grading
 *   files from the repository never write the repository's own progress file.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LABS_DIR, PACKAGE_ROOT } from '../paths.js';
/** The file that marks an initialised workspace (its content: WorkspaceMarker). */
export const WORKSPACE_MARKER = 'brokerlab.json';
export const WORKSPACE_FORMAT_VERSION = 1;
/** The nearest initialised workspace at or above `from`, else this repository's labs/. */
export function findWorkspace(from = process.cwd()) {
    const override = process.env.BROKERLAB_WORKSPACE;
    let dir = path.resolve(override ?? from);
    for (;;) {
        if (isWorkspace(dir))
            return workspaceAt(dir);
        const parent = path.dirname(dir);
        if (parent === dir)
            break;
        dir = parent;
    }
    const progressPath = process.env.BROKERLAB_PROGRESS
        ? path.resolve(process.env.BROKERLAB_PROGRESS)
        : path.join(PACKAGE_ROOT, '.brokerlab', 'progress.json');
    return { root: PACKAGE_ROOT, exercisesDir: LABS_DIR, progressPath, initialised: false };
}
/** True when `dir` itself is an initialised workspace (has the marker file). */
export function isWorkspace(dir) {
    return existsSync(path.join(dir, WORKSPACE_MARKER));
}
/** The marker of an initialised workspace, or undefined when it is missing or unreadable. */
export function readMarker(dir) {
    try {
        return JSON.parse(readFileSync(path.join(dir, WORKSPACE_MARKER), 'utf8'));
    }
    catch {
        return undefined;
    }
}
export function workspaceAt(root) {
    return { root, exercisesDir: path.join(root, 'exercises'), progressPath: path.join(root, '.brokerlab', 'progress.json'), initialised: true };
}
/** The folder of one exercise in this workspace. */
export function exerciseDir(workspace, entry) {
    return path.join(workspace.exercisesDir, entry.scenario.id);
}
/** The file the learner edits for this exercise, in this workspace. */
export function learnerFile(workspace, entry) {
    return path.join(exerciseDir(workspace, entry), entry.scenario.learner.entry);
}
//# sourceMappingURL=workspace.js.map