// Paths that cannot be used are the user's input, said in one line (errors.ts fileProblem),
// and makeDir never hangs where Node's recursive mkdir does (/proc).
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDir } from '../../src/dirs.js';
import { EnvironmentError, UsageError, asBrokerlabError, fileProblem } from '../../src/errors.js';

const temp = (): string => mkdtempSync(path.join(tmpdir(), 'brokerlab-dirs-'));

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('makeDir', () => {
  it('creates every missing folder, and is fine with folders that exist', () => {
    const root = temp();
    makeDir(path.join(root, 'a', 'b', 'c'));
    makeDir(path.join(root, 'a', 'b', 'c'));
    expect(statSync(path.join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
  });

  it('gives the mode to the folders it creates', () => {
    const root = temp();
    makeDir(path.join(root, 'private'), { mode: 0o700 });
    expect(statSync(path.join(root, 'private')).mode & 0o777).toBe(0o700);
  });

  it('returns at once under /proc (Node recursive mkdir loops forever there)', () => {
    const error = thrownBy(() => makeDir('/proc/brokerlab-forbidden/x'));
    expect(fileProblem(error)?.message).toBe('cannot create the folder /proc/brokerlab-forbidden: /proc does not take new folders');
  });

  it('says which part of the path is a file', () => {
    const root = temp();
    writeFileSync(path.join(root, 'file'), 'x');
    expect(fileProblem(thrownBy(() => makeDir(path.join(root, 'file', 'sub', 'deeper'))))?.message).toBe(
      `cannot create the folder ${path.join(root, 'file', 'sub')}: ${path.join(root, 'file')} is a file, not a folder`,
    );
    expect(fileProblem(thrownBy(() => makeDir(path.join(root, 'file'))))?.message).toBe(`cannot create the folder ${path.join(root, 'file')}: a file of that name is already there`);
    expect(fileProblem(thrownBy(() => makeDir('/dev/null/x')))?.message).toBe('cannot create the folder /dev/null/x: /dev/null is a file, not a folder');
  });
});

describe('fileProblem', () => {
  const errno = (code: string, syscall: string, file: string): Error => Object.assign(new Error(`${code}: ${syscall} '${file}'`), { code, syscall, path: file });

  it('is a usage error for paths, an environment error for a full disk', () => {
    expect(fileProblem(errno('EACCES', 'open', '/root/x'))).toBeInstanceOf(UsageError);
    expect(fileProblem(errno('EACCES', 'open', '/root/x'))?.message).toBe('cannot open /root/x: permission denied');
    expect(fileProblem(errno('EROFS', 'mkdir', '/sys/x'))?.message).toBe('cannot create the folder /sys/x: the file system is read-only');
    expect(fileProblem(errno('ENOSPC', 'write', '/tmp/x'))).toBeInstanceOf(EnvironmentError);
  });

  it('leaves alone what is not about a path (a bug stays a bug)', () => {
    expect(fileProblem(new TypeError('x is undefined'))).toBeUndefined();
    expect(fileProblem(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' }))).toBeUndefined();
    expect(fileProblem(Object.assign(new Error('kill EPERM'), { code: 'EPERM', syscall: 'kill' }))).toBeUndefined();
    const own = new UsageError('unknown exercise');
    expect(asBrokerlabError(own)).toBe(own);
  });
});
