/**
 * Watching an exercise's folder for saves, for `brokerlab watch`. One save in an editor is
 * often several file-system events (a temp file written, renamed over the original, a
 * backup removed), so events are debounced into one "saved" call, and editors' temp files
 * are ignored. When the platform cannot watch (most often ENOSPC: the inotify watch limit is
 * used up by other programs) the caller is told why, in one line, and falls back to
 * grading on Enter.
 */
import { watch as fsWatch } from 'node:fs';
import { isIgnoredFile } from './changes.js';
/** Long enough to merge one save's burst of events, short enough to feel immediate. */
export const DEBOUNCE_MS = 300;
/** Why watching failed, in words a learner can act on. */
export function watchFailureReason(error) {
    const code = error?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'ENOSPC') {
        return `${message}: the system's limit of inotify watches is used up (raise it with: sudo sysctl fs.inotify.max_user_watches=524288)`;
    }
    if (code === 'EMFILE')
        return `${message}: too many open files (close some programs, or raise the limit with: ulimit -n 4096)`;
    return message;
}
/**
 * Watches `dir` (not its subfolders: an exercise is a flat folder, and this keeps out
 * node_modules or caches a program might create below it). Calls `onSave` with the last
 * changed file's name once events have been quiet for `debounceMs`; calls `onFail` if the
 * watcher breaks later. Returns the reason instead when watching cannot start.
 */
export function watchFolder(dir, onSave, onFail, options = {}) {
    const debounceMs = options.debounceMs ?? DEBOUNCE_MS;
    const watch = options.watch ?? ((folder, listener) => fsWatch(folder, { persistent: true }, listener));
    let timer;
    let lastFile;
    let closed = false;
    const close = () => {
        closed = true;
        if (timer)
            clearTimeout(timer);
    };
    try {
        const watcher = watch(dir, (_event, filename) => {
            if (closed)
                return;
            // filename can be missing on some platforms: then any event counts.
            if (filename && isIgnoredFile(filename))
                return;
            lastFile = filename ?? undefined;
            if (timer)
                clearTimeout(timer);
            timer = setTimeout(() => {
                timer = undefined;
                if (!closed)
                    onSave(lastFile);
            }, debounceMs);
        });
        watcher.on('error', (error) => {
            if (closed)
                return;
            close();
            watcher.close();
            onFail(watchFailureReason(error));
        });
        return {
            close() {
                close();
                watcher.close();
            },
        };
    }
    catch (error) {
        close();
        return { error: watchFailureReason(error) };
    }
}
//# sourceMappingURL=watcher.js.map