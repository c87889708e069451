#!/usr/bin/env node
// `npm run bench [-- --only tools,check,cold-start,footprint,dev-check] [--runs N] [--repeat N] [--no-docs]`
// Prints the machine and one table per section, and writes the same tables into
// docs/benchmarks.md. The work is in src/bench/suite.ts (compiled to dist/, which `npm run
// bench` builds first); this file only wires it to the terminal. Speed targets live in the
// output, never in test assertions. Note: the cold-start section stops and restarts every broker.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { parseSuiteArgs, runSuite, suiteText, updateBenchmarksDoc } = await import(path.join(repo, 'dist', 'bench', 'suite.js'));

let options;
try {
  options = parseSuiteArgs(process.argv.slice(2));
} catch (error) {
  console.error(`bench: ${error.message}${error.hint ? `\n  ${error.hint}` : ''}`);
  process.exit(2);
}

// First Ctrl-C: stop after cleaning up (the CLIs it started get the same signal and clean up
// themselves); a second one leaves at once.
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  console.error('\nbench: interrupted, cleaning up (Ctrl-C again to leave at once)');
  controller.abort();
});

const log = (line) => console.error(`… ${line}`);
try {
  const result = await runSuite(options, { signal: controller.signal, log });
  console.log(suiteText(result));
  if (options.docs) {
    const file = path.join(repo, 'docs', 'benchmarks.md');
    writeFileSync(file, updateBenchmarksDoc(readFileSync(file, 'utf8'), result));
    console.error(`\nwrote ${path.relative(process.cwd(), file)}`);
  }
  process.exit(0);
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exit(controller.signal.aborted ? 130 : 1);
}
