/**
 * brokerlab bench [redis|rabbitmq|kafka|sqs...] [--messages N] [--size BYTES...] [--duration S] [--html FILE]
 *
 * Throughput and produce -> consume latency of a standard workload on each broker, with the
 * variants the week-7 "compare brokers" exercise discusses (one at a time vs pipelined or
 * batched sends, publisher confirms on/off, acks=1 vs acks=all), at 100 B and 1 KiB by default.
 * Each run works in its own "bl-bench-..." namespace and deletes it, also on Ctrl-C.
 *
 *   broker  how the producer sends                      size  messages  sent msg/s  ...
 *   Redis   Pub/Sub, one PUBLISH per round trip         100 B   10,000      21,345  ...
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { benchHtml } from '../../bench/html.js';
import { describeMachine, machineLine } from '../../bench/machine.js';
import { DEFAULT_CAP_MS } from '../../bench/measure.js';
import { RESULT_COLUMNS, RESULT_LEGEND, resultRow } from '../../bench/report.js';
import { BENCHES, DEFAULT_SIZES, parseBenchBrokers, parseSize, runBench } from '../../bench/run.js';
import { textTable } from '../../bench/table.js';
import { BENCH_BROKERS } from '../../bench/types.js';
import { UsageError } from '../../errors.js';
import { PACKAGE_ROOT } from '../../paths.js';
import { interruptSignal } from '../interrupt.js';
import { wholeNumber } from '../numbers.js';
import { progressPrinter, stdout } from '../output.js';

interface BenchOptions {
  messages?: number;
  size?: string[];
  duration?: number;
  html?: string;
  json?: boolean;
  quiet?: boolean;
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}

const defaults = BENCH_BROKERS.map((name) => `${name} ${BENCHES[name].defaultMessages.toLocaleString('en-US')}`).join(', ');

export function benchCommand(): Command {
  return new Command('bench')
    .description('measure throughput and produce-to-consume latency of each broker (the week-7 "compare brokers" figures)')
    .argument('[broker...]', `brokers to measure: ${BENCH_BROKERS.join(', ')} (default: all four)`)
    .option('--messages <n>', `messages per variant and size (default: ${defaults}, each for at most ${DEFAULT_CAP_MS / 1000} s)`, wholeNumber(1))
    .option('--size <bytes...>', `message sizes in bytes, e.g. --size 100 1k 16k (default: ${DEFAULT_SIZES.join(' ')})`)
    .option('--duration <seconds>', 'send for this long per variant and size (with --messages: whichever ends first)', positiveSeconds)
    .option('--html <file>', 'also write a self-contained HTML report with throughput and latency charts')
    .option('--json', 'print the results as JSON')
    .option('-q, --quiet', 'only the table, no progress lines')
    .action(async (brokers: string[], options: BenchOptions) => {
      const names = parseBenchBrokers(brokers);
      const sizes = (options.size ?? []).map(parseSize);
      if (options.html !== undefined && options.html.trim() === '') throw new UsageError('--html needs a file name');
      const progress = progressPrinter(options);
      const report = await runBench(names, {
        sizes,
        ...(options.messages !== undefined ? { messages: options.messages } : {}),
        ...(options.duration !== undefined ? { durationMs: options.duration * 1000 } : {}),
        signal: interruptSignal,
        onProgress: (line) => progress(line),
      });
      const machine = describeMachine(PACKAGE_ROOT);
      if (options.html) {
        const file = path.resolve(options.html);
        writeFileSync(file, benchHtml(report, machineLine(machine)));
        if (!options.quiet && !options.json) process.stderr.write(`HTML report: ${path.relative(process.cwd(), file) || file}\n`);
      }
      if (options.json) {
        stdout(JSON.stringify({ ...report, machine }, null, 2));
        return;
      }
      const table = textTable(RESULT_COLUMNS, report.results.map(resultRow));
      stdout(options.quiet ? table : `${table}\n\n${RESULT_LEGEND}\nmachine: ${machineLine(machine)}`);
    });
}
