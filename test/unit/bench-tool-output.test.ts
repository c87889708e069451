// Parsers of what the brokers' own performance tools print, with real outputs captured from
// redis-benchmark 7.0.15, Kafka 3.9.2's ProducerPerformance and PerfTest 2.22.1.
import { describe, expect, it } from 'vitest';
import { parseJavaVersion } from '../../src/bench/machine.js';
import { parsePerfTestSummary, parseProducerPerformance, parseRedisBenchmarkCsv } from '../../src/bench/tool-output.js';

describe('redis-benchmark --csv', () => {
  it('reads the requests per second and latencies of a custom command', () => {
    const output = [
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
      '"PUBLISH bl-bench-try xxxxxxxxxx","119047.62","0.005","0.000","0.007","0.015","0.015","1.639"',
      '',
    ].join('\n');
    expect(parseRedisBenchmarkCsv(output)).toEqual([
      { test: 'PUBLISH bl-bench-try xxxxxxxxxx', requestsPerSecond: 119047.62, avgMs: 0.005, p50Ms: 0.007, p95Ms: 0.015, p99Ms: 0.015, maxMs: 1.639 },
    ]);
  });

  it('reads several tests, and rows of older versions that print only test and rps', () => {
    const rows = parseRedisBenchmarkCsv('"SET","120481.93","0.005","0.000","0.007","0.015","0.015","2.407"\n"GET","98000.00"\n');
    expect(rows.map((r) => [r.test, r.requestsPerSecond])).toEqual([['SET', 120481.93], ['GET', 98000]]);
    expect(rows[1]!.p50Ms).toBeNaN();
  });

  it('fails loudly, quoting the last line, when there is no result', () => {
    expect(() => parseRedisBenchmarkCsv('Could not connect to Redis at 127.0.0.1:6379: Connection refused\n')).toThrow(
      /no CSV result \(last line: "Could not connect to Redis at 127\.0\.0\.1:6379: Connection refused"\)/,
    );
  });
});

describe("Kafka's ProducerPerformance", () => {
  it('reads the final line, the one with percentiles, not the progress lines', () => {
    const output = [
      "log4j:WARN No appenders could be found for logger (org.apache.kafka.clients.producer.ProducerConfig).",
      '245761 records sent, 49152.2 records/sec (4.69 MB/sec), 312.4 ms avg latency, 601.0 ms max latency.',
      '50000 records sent, 61881.188119 records/sec (5.90 MB/sec), 165.17 ms avg latency, 274.00 ms max latency, 201 ms 50th, 254 ms 95th, 264 ms 99th, 266 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerformance(output)).toEqual({
      records: 50000,
      recordsPerSecond: 61881.188119,
      mbPerSecond: 5.9,
      avgLatencyMs: 165.17,
      maxLatencyMs: 274,
      p50Ms: 201,
      p95Ms: 254,
      p99Ms: 264,
      p999Ms: 266,
    });
  });

  it('fails loudly when the tool died before its summary', () => {
    expect(() => parseProducerPerformance('Exception in thread "main" org.apache.kafka.common.errors.TimeoutException: Topic bl-x not present in metadata after 60000 ms.')).toThrow(
      /no final summary .*TimeoutException/,
    );
  });
});

describe('RabbitMQ PerfTest', () => {
  const output = [
    'id: test-034107-377, starting consumer #0',
    'id: test-034107-377, time 1.000 s, sent: 12237 msg/s, confirmed: 12137 msg/s, nacked: 0 msg/s, received: 12203 msg/s, min/median/75th/95th/99th consumer latency: 113/3219/5015/18938/37353 µs, confirm latency: 264/3738/4979/7488/15141 µs',
    'test stopped (Producer reached message limit, Consumer reached message limit)',
    'id: test-034107-377, sending rate avg: 11848 msg/s',
    'id: test-034107-377, receiving rate avg: 11850 msg/s',
    'id: test-034107-377, consumer latency min/median/75th/95th/99th 110/2958/4169/12970/31059 µs',
    'id: test-034107-377, confirm latency min/median/75th/95th/99th 173/3605/4712/7168/14353 µs',
  ].join('\n');

  it('reads the summary: rates, why it stopped, latencies in milliseconds', () => {
    expect(parsePerfTestSummary(output)).toEqual({
      sentPerSecond: 11848,
      receivedPerSecond: 11850,
      stoppedBecause: 'Producer reached message limit, Consumer reached message limit',
      consumerLatencyMs: { min: 0.11, p50: 2.958, p75: 4.169, p95: 12.97, p99: 31.059 },
      confirmLatencyMs: { min: 0.173, p50: 3.605, p75: 4.712, p95: 7.168, p99: 14.353 },
    });
  });

  it('has no confirm latency without confirms, and reads --use-millis output', () => {
    const summary = parsePerfTestSummary(
      'id: t, sending rate avg: 20140 msg/s\nid: t, receiving rate avg: 20140 msg/s\nid: t, consumer latency min/median/75th/95th/99th 0/14/30/49/52 ms\n',
    );
    expect(summary.confirmLatencyMs).toBeUndefined();
    expect(summary.consumerLatencyMs).toEqual({ min: 0, p50: 14, p75: 30, p95: 49, p99: 52 });
  });

  it('fails loudly without a summary', () => {
    expect(() => parsePerfTestSummary('Main thread caught exception: java.net.ConnectException: Connection refused')).toThrow(/PerfTest printed no summary/);
  });
});

describe('java -version', () => {
  it('gives the vendor and version', () => {
    expect(parseJavaVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)\n')).toBe('openjdk 17.0.15');
    expect(parseJavaVersion('bash: java: command not found')).toBe('unknown');
  });
});
