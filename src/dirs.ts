/**
 * `mkdir -p`, safely. Node's own (mkdirSync/mkdir with { recursive: true }) never returns for
 * a path under /proc: mkdir there fails with ENOENT although the parent exists, so Node's
 * loop creates the parent (EEXIST, fine) and retries the child, forever, in C++, where not
 * even SIGTERM reaches the program (`brokerlab init /proc/forbidden` spun for 10 minutes).
 * Here each missing folder is created once, from the nearest existing one down, and the first
 * error is thrown as the system gave it; errors.ts's fileProblem turns it into one line.
 * Every folder brokerlab creates goes through makeDir.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function makeDir(dir: string, options: { mode?: number } = {}): void {
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (exists(current)) break;
    missing.push(current);
    if (path.dirname(current) === current) break;
  }
  // From the outermost missing folder down. A folder that exists already (made meanwhile by
  // another process) is fine; anything else in the way makes mkdir fail, as it should.
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder, options.mode === undefined ? undefined : { mode: options.mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && isDirectory(folder)) continue;
      throw error;
    }
  }
  // The path itself may be a file: mkdir says so (EEXIST), rather than a later write saying ENOTDIR.
  if (!isDirectory(dir)) mkdirSync(dir);
}

/** True when something is at `file` (a file where a folder should be counts: mkdir then says so). */
function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (error) {
    // ENOTDIR: a part of the path is a file; the folder is missing, and mkdir will say why.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw error;
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
