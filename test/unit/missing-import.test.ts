// "Your program could not import X", in one line, from its stderr.
import { describe, expect, it } from 'vitest';
import { PYTHON_PACKAGES, missingImport } from '../../src/runner/missing-import.js';
import { readFileSync } from 'node:fs';
import { LABS_DIR } from '../../src/paths.js';
import path from 'node:path';

const lab = path.join(LABS_DIR, 'kafka-consumer-group');

describe('missing import', () => {
  it('a given file that is not next to the solution', () => {
    const r = missingImport(["Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/tmp/x/helpers.js' imported from /tmp/x/consumer.ts"], lab);
    expect(r?.what).toBe("it imports helpers.js, which is neither next to it nor one of the exercise's given files");
    expect(r?.hint).toContain('ledger.ts');
  });
  it('a package brokerlab does not give', () => {
    expect(missingImport(["Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'lodash' imported from /tmp/x/consumer.ts"], lab)?.what).toBe('the package "lodash" is not installed');
  });
  it('a Python module', () => {
    expect(missingImport(["ModuleNotFoundError: No module named 'kafka'"], lab)?.what).toBe('Python could not import the module "kafka"');
  });
  it('a --cmd program runs with its own packages: the hint says to install them there or use --solution', () => {
    const found = missingImport(["Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'kafkajs' imported from /home/me/p.mjs"], lab, true);
    expect(found?.what).toContain('kafkajs');
    expect(found?.hint).toContain('npm install kafkajs');
    expect(found?.hint).toContain('--solution');
    expect(found?.hint).not.toMatch(/^brokerlab gives/);
    expect(missingImport(["ModuleNotFoundError: No module named 'pika'"], lab, true)?.hint).toContain('pip install');
  });
  it('nothing for any other crash', () => {
    expect(missingImport(['TypeError: x is not a function'], lab)).toBeUndefined();
  });
});

describe('the packages the hints name', () => {
  it('are the ones brokerlab installs for Python', () => {
    const pinned = readFileSync(path.join(import.meta.dirname, '..', '..', 'scripts', 'python-requirements.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => line.replace(/\[.*\]/, '').split('==')[0]);
    expect([...PYTHON_PACKAGES]).toEqual(pinned);
  });
});
