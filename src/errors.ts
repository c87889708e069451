/**
 * Every error a command may throw on purpose. Commands never call process.exit: they throw,
 * and the one handler in cli/main.ts prints the message (one line, no stack) and maps the
 * error's kind to an exit code from cli/exit-codes.ts. A path that cannot be used (fileProblem
 * below) is the user's input too; anything else is a bug in brokerlab.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { ExitKind } from './cli/exit-codes.js';

export class BrokerlabError extends Error {
  /** Which row of the exit-code table this error maps to. */
  readonly kind: ExitKind;
  /** An optional second line: what to do about it. */
  readonly hint: string | undefined;
  constructor(kind: ExitKind, message: string, hint?: string) {
    super(message);
    this.kind = kind;
    this.hint = hint;
  }
}

/** The command line itself is wrong: unknown exercise, missing file, bad flag value. */
export class UsageError extends BrokerlabError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint);
  }
}

/** The machine is not ready: a broker is down or not installed, a port is taken. */
export class EnvironmentError extends BrokerlabError {
  constructor(message: string, hint?: string) {
    super('environment', message, hint);
  }
}

/** The user pressed Ctrl-C (or the process got SIGTERM); cleanup has already run. */
export class InterruptedError extends BrokerlabError {
  constructor(message = 'interrupted; the run was cleaned up') {
    super('interrupted', message);
  }
}

/** For long loops (one step per learner, per broker): throws InterruptedError once Ctrl-C or
 *  SIGTERM aborted `signal`, so the command stops between two steps, never in the middle of one. */
export function throwIfInterrupted(signal: AbortSignal | undefined, message?: string): void {
  if (signal?.aborted) throw new InterruptedError(message);
}

/** A command finished and wants a particular exit code without an error message. */
export class ExitError extends BrokerlabError {
  constructor(kind: ExitKind, message = '') {
    super(kind, message);
  }
}

/** What the system said, in words, for the errors a path the user gave can cause. */
const FILE_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder, where a file was expected',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

/** The syscall as a verb: "cannot create the folder /x". */
const FILE_ACTIONS: Record<string, string> = {
  mkdir: 'create the folder',
  open: 'open',
  rename: 'write',
  symlink: 'create the link',
  copyfile: 'copy',
  scandir: 'read the folder',
  unlink: 'remove',
  rmdir: 'remove',
  rm: 'remove',
  stat: 'read',
  lstat: 'read',
  chmod: 'change the permissions of',
  access: 'read',
  write: 'write',
  read: 'read',
};

function isDirectory(file: string): boolean | undefined {
  try {
    return statSync(file).isDirectory();
  } catch {
    return undefined;
  }
}

/** Why `error.path` could not be used: the first part of it that is a file, not a folder, and so on. */
function fileReason(code: string, syscall: string, file: string): string {
  const parent = path.dirname(file);
  switch (code) {
    case 'ENOTDIR': {
      // The part of the path that is in the way: the nearest existing one that is no folder.
      for (let dir = parent; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        if (isDirectory(dir) === false) return `${dir} is a file, not a folder`;
      }
      return 'a part of the path is a file, not a folder';
    }
    case 'ENOENT':
      if (syscall === 'mkdir' && isDirectory(parent)) return `${parent} does not take new folders`;
      return isDirectory(parent) ? 'there is no such file or folder' : `there is no folder ${parent}`;
    case 'EEXIST':
      return syscall === 'mkdir' ? 'a file of that name is already there' : 'something of that name is already there';
    default:
      return FILE_REASONS[code] ?? code;
  }
}

/**
 * A path that cannot be read, written or created (ENOTDIR, EACCES, EROFS, ENOENT on a parent,
 * a file where a folder should be, a disk that is full) as the one line the user gets: it is
 * the user's input or their machine, never a bug in brokerlab. Every top-level handler asks
 * this function (cli/main.ts, and the commands that go on after one exercise failed), so a
 * command never needs a try/catch of its own around a mkdir or a write.
 */
export function fileProblem(error: unknown): BrokerlabError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path: file, dest } = error as NodeJS.ErrnoException & { dest?: string };
  if (typeof code !== 'string' || typeof file !== 'string' || typeof syscall !== 'string') return undefined;
  if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EEXIST' && !(code in FILE_REASONS)) return undefined;
  const action = FILE_ACTIONS[syscall] ?? syscall;
  const target = syscall === 'rename' || syscall === 'copyfile' || syscall === 'symlink' ? (dest ?? file) : file;
  const message = `cannot ${action} ${target}: ${fileReason(code, syscall, target)}`;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new EnvironmentError(message, 'Free some disk space, then run it again.');
  return new UsageError(message, 'Check the path and its permissions, or choose another one (a folder in your home directory, say).');
}

/** The error as brokerlab's own (one line, an exit code), or undefined for a bug in brokerlab. */
export function asBrokerlabError(error: unknown): BrokerlabError | undefined {
  return error instanceof BrokerlabError ? error : fileProblem(error);
}
