/**
 * "Your program could not start because an import is missing", said in one line from its
 * stderr, with what to do about it. Pure: the lines in, the finding out.
 *
 * Recognised: Node's ERR_MODULE_NOT_FOUND ("Cannot find module '/x/ledger.js' imported from
 * ...", "Cannot find package 'kafkajs' imported from ...") and Python's ModuleNotFoundError.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { CLIENT_PACKAGES } from '../workspace/templates.js';

/** What brokerlab's own Python has (scripts/python-requirements.txt; a unit test keeps them equal). */
export const PYTHON_PACKAGES = ['redis', 'pika', 'confluent-kafka', 'psycopg', 'boto3', 'prometheus-client'] as const;

export interface MissingImport {
  what: string;
  hint: string;
}

/** The exercise's given files (what a solution may import from its folder). */
function givenFiles(labDir: string): string[] {
  try {
    return readdirSync(labDir).filter((f) => /\.(ts|js|mjs|py)$/.test(f));
  } catch {
    return [];
  }
}

/** `asGiven`: the program was started with --cmd, with its own runtime and packages. */
export function missingImport(stderr: readonly string[], labDir: string, asGiven = false): MissingImport | undefined {
  const text = stderr.join('\n');
  const python = /ModuleNotFoundError: No module named '([^']+)'/.exec(text);
  const pkg = /Cannot find package '([^']+)'/.exec(text);
  if (asGiven && (python || pkg)) {
    const name = python?.[1] ?? pkg?.[1] ?? '';
    return {
      what: python ? `Python could not import the module "${name}"` : `the package "${name}" is not installed where your program runs`,
      hint: `With --cmd your program runs as it is, with its own ${python ? 'Python and packages: pip install it there' : 'packages: run `npm install ' + name + '` in its folder'}, or grade the file with --solution, which gives it brokerlab's clients (${python ? PYTHON_PACKAGES.join(', ') : CLIENT_PACKAGES.join(', ')}).`,
    };
  }
  if (python) {
    return {
      what: `Python could not import the module "${python[1]}"`,
      hint: `brokerlab runs .py files with its own Python (made by \`npm run setup\`), which has ${PYTHON_PACKAGES.join(', ')}. For other packages, grade with --cmd "python3 your_file.py" and your own Python.`,
    };
  }
  if (pkg) {
    return {
      what: `the package "${pkg[1]}" is not installed`,
      hint: `brokerlab gives your program ${CLIENT_PACKAGES.join(', ')}; for any other package run \`npm install\` in your folder first.`,
    };
  }
  const file = /Cannot find module '([^']+)'/.exec(text);
  if (file) {
    const name = path.basename(file[1] ?? '');
    const given = givenFiles(labDir);
    return {
      what: `it imports ${name}, which is neither next to it nor one of the exercise's given files`,
      hint: `Import the exercise's given files by their own names (${given.join(', ') || 'see the README'}), as the starter does, or put your own ${name} next to your file.`,
    };
  }
  return undefined;
}
