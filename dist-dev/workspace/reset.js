/**
 * Putting an exercise back as it was handed out: its files in exercises/<id>/ are copied
 * again from the catalog (labs/<id>/). Files only: progress is kept (a done exercise stays
 * done, seen hints stay seen), and files the learner added to the folder are left alone.
 *
 * Only in an initialised workspace: in this repository the exercises ARE labs/<id>/, the
 * catalog's own copy, so there is nothing to restore them from but git.
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import { copyTree, differingFiles } from './files.js';
import { exerciseDir } from './workspace.js';
/** Throws the learner-facing UsageError when `workspace` is this repository's labs/ (for
 *  one exercise, or for all of them when `entry` is not given). */
export function assertResettable(workspace, entry) {
    if (workspace.initialised)
        return;
    const folder = entry ? `labs/${entry.scenario.id}` : 'labs';
    const what = entry ? 'the exercise' : 'the exercises';
    throw new UsageError(`there is no brokerlab workspace here, so ${folder}/ is brokerlab's own copy of ${what} and there is nothing to reset it from`, `Restore it with \`git checkout -- ${folder}\`, or create a workspace of your own with \`brokerlab init\`.`);
}
/** The exercise's files that differ from the starter (or are missing), relative to the
 *  workspace root: what a reset would overwrite. */
export function changedExerciseFiles(workspace, entry) {
    const dir = exerciseDir(workspace, entry);
    return differingFiles(entry.labDir, dir).map((file) => path.relative(workspace.root, path.join(dir, file)));
}
/** Restores the exercise's files from labs/<id>/; returns the restored paths, relative to the
 *  workspace root (e.g. "exercises/redis-pubsub-notifier/notifier.ts"). */
export function resetExercise(workspace, entry) {
    assertResettable(workspace, entry);
    const dir = exerciseDir(workspace, entry);
    return copyTree(entry.labDir, dir).map((file) => path.relative(workspace.root, path.join(dir, file)));
}
//# sourceMappingURL=reset.js.map