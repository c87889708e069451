#!/usr/bin/env node
// Thin shim: the CLI is compiled to dist/ by `npm run build` (scripts/install.sh runs it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('brokerlab: the CLI is not built yet. Run `npm run setup` (or `npm run build`) first.\n');
  process.exit(4);
}
await import(main.href);
