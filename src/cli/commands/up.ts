/**
 * brokerlab up [broker...]: start brokers (default: all) and wait until each answers.
 *
 *   starting Kafka ... ready in 7.2s (127.0.0.1:9092)
 */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { BROKER_NAMES, ensureReachable, parseBrokerNames, parseRuntime, up, type ProgressEvent } from '../../brokers/index.js';
import { makeColors, upLine } from '../../brokers/format.js';
import { interruptSignal } from '../interrupt.js';

interface UpOptions {
  runtime?: string;
  timeout?: string;
  quiet?: boolean;
  json?: boolean;
}

const RUNTIME_HELP =
  'native | compose | external (default: external where a BROKERLAB_* URL is set, else compose if Docker runs, else native)';

/** "--timeout 90" -> 90000; anything but a positive number of seconds is a UsageError. */
export function parseTimeoutSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const secondsValue = Number(value);
  if (!Number.isFinite(secondsValue) || secondsValue <= 0) {
    throw new UsageError(`--timeout must be a positive number of seconds, not "${value}"`);
  }
  return Math.round(secondsValue * 1000);
}

export function upCommand(): Command {
  return new Command('up')
    .description('start brokers (default: all but kafka-cluster) and wait until each one answers')
    .argument('[broker...]', `brokers to start: ${BROKER_NAMES.join(', ')}`)
    .option('--runtime <kind>', RUNTIME_HELP)
    .option('--timeout <seconds>', 'how long to wait for each broker to become ready (default: per broker, Kafka 60, the Kafka cluster 90)')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the results as JSON on stdout (progress goes to stderr)')
    .action(async (brokers: string[], options: UpOptions) => {
      // The 3-node cluster is three more JVMs: started only when named.
      const names = parseBrokerNames(brokers, { onDemand: false });
      const runtime = parseRuntime(options.runtime, '--runtime');
      const timeoutMs = parseTimeoutSeconds(options.timeout);
      // Progress never pollutes JSON on stdout.
      const out = options.json ? process.stderr : process.stdout;
      const c = makeColors();
      const say = options.quiet ? () => {} : (text: string) => out.write(text);
      let midLine = false;
      const onProgress = (event: ProgressEvent): void => {
        if (event.type === 'starting') {
          say(`starting ${event.label} ... `);
          midLine = true;
        } else if (event.type === 'up') {
          say(upLine(event.result, c) + '\n');
          midLine = false;
        }
      };
      try {
        const results = await up(names, {
          ...(runtime ? { runtime } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          onProgress,
          // Ctrl-C / SIGTERM while a broker starts: it is stopped again (up leaves a ready broker or nothing).
          signal: interruptSignal,
        });
        // Namespaces of runs whose brokerlab was killed before it cleaned up: only in brokers
        // brokerlab runs itself, never in an external (possibly shared) cluster.
        const SWEPT_BROKERS = ['redis', 'rabbitmq', 'rabbitmq-cluster', 'kafka', 'kafka-cluster', 'sqs', 'sns', 'pubsub', 'postgres', 'toxiproxy', 'prometheus'] as const;
        type Swept = (typeof SWEPT_BROKERS)[number];
        const own = results.filter((r) => r.runtime !== 'external' && (SWEPT_BROKERS as readonly string[]).includes(r.name)).map((r) => r.name as Swept);
        if (own.length > 0) {
          const { sweepStaleNamespaces } = await import('../../namespaces/sweep.js');
          // Best effort: a broker that stops answering meanwhile is swept next time.
          const swept = await ensureReachable(own).then(sweepStaleNamespaces).catch(() => []);
          if (swept.length > 0) say(`removed ${swept.length} namespace${swept.length === 1 ? '' : 's'} left by runs that could not clean up: ${swept.join(', ')}\n`);
        }
        if (options.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
      } catch (error) {
        if (midLine) say(c.red('failed') + '\n'); // finish "starting X ... " before the error is printed
        throw error;
      }
    });
}
