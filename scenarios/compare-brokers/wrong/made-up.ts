/**
 * WRONG: numbers from a benchmark blog post, written without running anything: Kafka at
 * 80 000 msg/s, Redis at 120 000, RabbitMQ at 25 000, p99 of a few milliseconds.
 */
import { waitForTheLab, writeResults } from '../../../labs/compare-brokers/workload.js';

await writeResults({
  redis: { count: 2000, throughput: 120_000, p50: 0.4, p99: 1.8 },
  rabbitmq: { count: 2000, throughput: 25_000, p50: 1.2, p99: 6.5 },
  kafka: { count: 2000, throughput: 80_000, p50: 2.5, p99: 9 },
});
waitForTheLab();
