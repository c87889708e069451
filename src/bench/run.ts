/**
 * `brokerlab bench`: each broker's variants at each size, inside one namespace per run
 * ("bl-bench-<time><random>": Redis keys and channels, a RabbitMQ vhost, Kafka topics and
 * groups, SQS queues), deleted afterwards whatever happens: error, Ctrl-C (the signal stops
 * the current variant between two sends) or success.
 */
import { ensureReachable, nativeProcess } from '../brokers/index.js';
import { benchNamespace } from '../namespaces/names.js';
import { reason } from '../brokers/net.js';
import { BrokerlabError, EnvironmentError, InterruptedError, UsageError } from '../errors.js';
import { kafkaBench } from './kafka.js';
import { type Limits, limitsFor, measureVariant } from './measure.js';
import { MIN_SIZE } from './payload.js';
import { rabbitmqBench } from './rabbitmq.js';
import { redisBench } from './redis.js';
import { sqsBench } from './sqs.js';
import { BENCH_BROKERS, type BenchBroker, type BrokerBench, type VariantResult } from './types.js';

export const BENCHES: { readonly [N in BenchBroker]: BrokerBench<N> } = {
  redis: redisBench,
  rabbitmq: rabbitmqBench,
  kafka: kafkaBench,
  sqs: sqsBench,
};

/** 100 B (a small JSON event) and 1 KiB (a fuller document). */
export const DEFAULT_SIZES = [100, 1024] as const;
/** The largest size accepted: SQS's limit is 256 KiB per message. */
export const MAX_SIZE = 256 * 1024;

export interface BenchOptions extends Limits {
  sizes?: readonly number[];
  /** Only these variant ids (default: all of each broker). */
  variants?: readonly string[];
  /** false: producer only, no consumer (the shape of Kafka's ProducerPerformance). */
  consume?: boolean;
  /** false: count from the first message, as the brokers' own tools do (default: warm up first). */
  warmup?: boolean;
  signal?: AbortSignal;
  /** "Kafka: batch100-acks1, 1 KiB" as each variant starts. */
  onProgress?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface BenchReport {
  namespace: string;
  startedAt: string;
  results: VariantResult[];
}

/** Command-line names to bench brokers, in the usual order; none = all four. */
export function parseBenchBrokers(args: readonly string[]): BenchBroker[] {
  if (args.length === 0) return [...BENCH_BROKERS];
  const unknown = args.filter((arg) => !(BENCH_BROKERS as readonly string[]).includes(arg.toLowerCase()));
  if (unknown.length > 0) {
    throw new UsageError(`unknown broker "${unknown[0]}" for bench; it measures: ${BENCH_BROKERS.join(', ')}`);
  }
  const wanted = new Set(args.map((arg) => arg.toLowerCase()));
  return BENCH_BROKERS.filter((name) => wanted.has(name));
}

/** Message sizes from the command line ("100", "1024", "1k", "4KiB"), each MIN_SIZE..MAX_SIZE bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+)\s*(b|k|kb|kib)?$/i.exec(text.trim());
  const bytes = match ? Number(match[1]) * (match[2] && match[2].toLowerCase() !== 'b' ? 1024 : 1) : Number.NaN;
  if (!Number.isInteger(bytes) || bytes < MIN_SIZE || bytes > MAX_SIZE) {
    throw new UsageError(`--size must be a whole number of bytes from ${MIN_SIZE} to ${MAX_SIZE} (e.g. 100 or 1k), not "${text}"`);
  }
  return bytes;
}


/** The process groups of a broker running natively from this home (for the CPU evidence). */
export function brokerGroups(name: BenchBroker, env: NodeJS.ProcessEnv = process.env): number[] {
  const native = nativeProcess(name, env);
  return native ? [native.pgid] : [];
}

/**
 * A client library's error ("Connection is closed", ECONNRESET, an HTTP 401 from the management
 * API) means the broker went away or refused: an environment problem, said in one line.
 * Programming errors stay bugs.
 */
function asEnvironmentError(bench: BrokerBench, error: unknown): unknown {
  if (error instanceof BrokerlabError || error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError) return error;
  return new EnvironmentError(`${bench.label} failed during the bench: ${reason(error)}`);
}

export async function runBench(names: readonly BenchBroker[], options: BenchOptions = {}): Promise<BenchReport> {
  const env = options.env ?? process.env;
  const endpoints = await ensureReachable(names, { env });
  const sizes = options.sizes && options.sizes.length > 0 ? options.sizes : DEFAULT_SIZES;
  const namespace = benchNamespace();
  const report: BenchReport = { namespace, startedAt: new Date().toISOString(), results: [] };
  for (const name of names) {
    const bench = BENCHES[name] as BrokerBench;
    const variants = bench.variants.filter((v) => !options.variants || options.variants.includes(v.id));
    if (variants.length === 0) continue;
    const limits = limitsFor(bench.defaultMessages, options);
    const session = await bench.open(endpoints[name], namespace).catch((error: unknown) => {
      throw asEnvironmentError(bench, error);
    });
    let failed = false;
    try {
      for (const variant of variants) {
        for (const size of sizes) {
          if (options.signal?.aborted) throw new InterruptedError();
          options.onProgress?.(`${bench.label}: ${variant.label}, ${size} B`);
          report.results.push(
            await measureVariant(bench, session, variant, size, {
              ...limits,
              consume: options.consume ?? true,
              ...(options.warmup !== undefined ? { warmup: options.warmup } : {}),
              brokerGroups: brokerGroups(name, env),
              ...(options.signal ? { signal: options.signal } : {}),
            }),
          );
        }
      }
    } catch (error) {
      failed = true;
      throw asEnvironmentError(bench, error);
    } finally {
      // On the way out of an error the first error is the one to report; a cleanup that fails
      // after a successful bench is an error of its own.
      const closing = session.close();
      if (failed) await closing.catch(() => {});
      else {
        await closing.catch((error: unknown) => {
          throw new EnvironmentError(`could not delete the bench's names under "${namespace}" in ${bench.label}: ${reason(error)}`);
        });
      }
    }
  }
  return report;
}
