#!/usr/bin/env node
// `npm run bench [-- --repeat N] [exercise...]`: runs `brokerlab dev check` and prints how
// long each graded run takes (min / median / max over the repeats) as a table. Timing targets
// live here, never in test assertions.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const repeatAt = args.indexOf('--repeat');
const repeat = repeatAt >= 0 ? args.splice(repeatAt, 2)[1] : '3';
const run = spawnSync(process.execPath, ['bin/brokerlab.js', 'dev', 'check', ...args, '--repeat', repeat, '--json'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 64 * 1024 * 1024,
});
if (!run.stdout) process.exit(run.status ?? 1);
const { rows, deviations } = JSON.parse(run.stdout);
const groups = new Map();
for (const row of rows) {
  const key = `${row.exercise}\t${row.solution}`;
  groups.set(key, [...(groups.get(key) ?? []), row.seconds]);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`| exercise | solution | runs | min s | median s | max s |`);
console.log(`|---|---|---|---|---|---|`);
for (const [key, secs] of groups) {
  const [exercise, solution] = key.split('\t');
  console.log(`| ${exercise} | ${solution} | ${secs.length} | ${Math.min(...secs)} | ${median(secs)} | ${Math.max(...secs)} |`);
}
console.log(`\n${rows.length} runs, ${deviations} deviations`);
process.exit(run.status ?? 1);
