/**
 * Given code (you need not change it): the workload the lab asks you to measure, read from
 * the environment, and the two small pieces every measurement needs: the nearest-rank
 * percentile and writing the results file. See README.md for what each variable means.
 */
import { rename, writeFile } from 'node:fs/promises';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this program with \`brokerlab check compare-brokers\``);
  return value;
}

export const config = {
  /** Per broker: this many messages... */
  messages: Number(need('BENCH_MESSAGES')),
  /** ...of exactly this many bytes... */
  size: Number(need('BENCH_SIZE')),
  /** ...in bursts of this many, one burst every intervalMs milliseconds. */
  burst: Number(need('BENCH_BURST')),
  intervalMs: Number(need('BENCH_INTERVAL_MS')),
  redisUrl: need('REDIS_URL'),
  stream: need('BENCH_STREAM'),
  streamGroup: need('BENCH_STREAM_GROUP'),
  amqpUrl: need('AMQP_URL'),
  exchange: need('BENCH_EXCHANGE'),
  queue: need('BENCH_QUEUE'),
  kafkaBrokers: need('KAFKA_BROKERS').split(','),
  topic: need('BENCH_TOPIC'),
  groupId: need('BENCH_GROUP_ID'),
  resultsFile: need('RESULTS_FILE'),
};

/** One broker's numbers, as RESULTS_FILE holds them. */
export interface BrokerNumbers {
  /** Messages consumed. */
  count: number;
  /** Messages consumed per second, from the first publish to the last consume. */
  throughput: number;
  /** Median end-to-end latency, milliseconds. */
  p50: number;
  /** 99th percentile end-to-end latency, milliseconds. */
  p99: number;
}

/** The p-th percentile of the values by the nearest-rank method: the smallest value with at
 *  least p % of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

/** Writes RESULTS_FILE at once (a temporary file renamed), so the lab never reads half of it. */
export async function writeResults(results: Record<'redis' | 'rabbitmq' | 'kafka', BrokerNumbers>): Promise<void> {
  const temporary = `${config.resultsFile}.tmp`;
  await writeFile(temporary, `${JSON.stringify(results, null, 2)}\n`);
  await rename(temporary, config.resultsFile);
}

/** After the results are written the program keeps running until the lab stops it. */
export function waitForTheLab(): void {
  setInterval(() => {}, 60_000);
}
