/** Copying an exercise's files from the catalog (labs/<id>/) into a workspace. */
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { makeDir } from '../dirs.js';
import path from 'node:path';

/** Every file under `dir`, as paths relative to it, sorted (so output is stable). */
export function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const item of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.join(relative, item.name);
      if (item.isDirectory()) walk(child);
      else if (item.isFile()) found.push(child);
    }
  };
  walk('');
  return found.sort();
}

/** Copies every file of `from` into `to` (overwriting files of the same name, leaving other
 *  files of `to` alone); returns the copied paths relative to `from`. */
export function copyTree(from: string, to: string): string[] {
  const files = filesUnder(from);
  for (const file of files) {
    makeDir(path.dirname(path.join(to, file)));
    copyFileSync(path.join(from, file), path.join(to, file));
  }
  return files;
}

/** The files of `from` whose copy in `to` is missing or different (relative to `from`). */
export function differingFiles(from: string, to: string): string[] {
  return filesUnder(from).filter((file) => {
    try {
      return !readFileSync(path.join(from, file)).equals(readFileSync(path.join(to, file)));
    } catch {
      return true;
    }
  });
}
