// Unit tests of compare-results, compare-evidence, compare-throughput and compare-p99 over
// literal histories: a plan of 2000 messages of 256 B on three brokers, the lab's numbers,
// the learner's results file and what each broker kept.
import { describe, expect, it } from 'vitest';
import { compareEvidence, compareP99, compareResults, compareThroughput } from '../../src/checks/compare.js';
import type { Operation } from '../../src/runner/history.js';

const observe = (t: number, key: string, value: unknown): Operation => ({ t, process: 'lab', kind: 'observe', outcome: 'ok', key, value });
const plan = observe(0, 'compare-plan', { brokers: ['redis', 'rabbitmq', 'kafka'], messages: 2000, size: 256, burst: 200, intervalMs: 100 });
const lab = observe(1, 'compare-lab', {
  numbers: {
    redis: { count: 2000, throughput: 2200, p50: 4, p99: 12 },
    rabbitmq: { count: 2000, throughput: 2150, p50: 9, p99: 50 },
    kafka: { count: 2000, throughput: 2200, p50: 8, p99: 40 },
  },
});
const good = { redis: { count: 2000, throughput: 2190, p50: 6, p99: 21 }, rabbitmq: { count: 2000, throughput: 2100, p50: 30, p99: 120 }, kafka: { count: 2000, throughput: 2180, p50: 3, p99: 100 } };
const results = (value: unknown, exists = true): Operation => observe(2, 'compare-results', { exists, text: typeof value === 'string' ? value : JSON.stringify(value), writtenAfterMs: exists ? 3000 : null });
const evidence = (broker: string, over: Record<string, unknown> = {}): Operation => observe(3, 'compare-evidence', { broker, published: 2000, wrongSizes: [], consumed: 2000, pending: 0, ...over });
const allEvidence = [evidence('redis'), evidence('rabbitmq'), evidence('kafka')];
const history = (file: unknown, ev: Operation[] = allEvidence): Operation[] => [plan, lab, results(file), ...ev];
const throughputParams = { below: 3, above: 1.5 };
const p99Params = { above: 50, floorMs: 2 };

describe('compare-results', () => {
  it('passes a complete file', () => expect(compareResults.run(history(good), {}).status).toBe('pass'));
  it('no file', () => expect(compareResults.run([plan, lab, results('', false)], {}).cause).toBe('no-file'));
  it('not JSON', () => expect(compareResults.run(history('redis: fast'), {}).cause).toBe('not-json'));
  it('a broker missing', () => {
    const r = compareResults.run(history({ redis: good.redis, rabbitmq: good.rabbitmq }), {});
    expect(r.cause).toBe('missing-broker');
    expect(r.observed).toContain('kafka');
  });
  it('strings for numbers', () => expect(compareResults.run(history({ ...good, kafka: { ...good.kafka, p99: '100' } }), {}).cause).toBe('not-numbers'));
  it('the starter zeros', () => expect(compareResults.run(history({ redis: { count: 0, throughput: 0, p50: 0, p99: 0 }, rabbitmq: good.rabbitmq, kafka: good.kafka }), {}).cause).toBe('wrong-count'));
  it('a negative throughput is not a number of messages per second', () => expect(compareResults.run(history({ ...good, redis: { ...good.redis, throughput: -3 } }), {}).cause).toBe('not-numbers'));
  it('negative latencies: two clocks (Date.now() stamped, performance.now() on receive)', () => {
    const r = compareResults.run(history({ ...good, kafka: { ...good.kafka, p50: -1.79e12, p99: -1.79e12 + 40 } }), {});
    expect(r.cause).toBe('clock-mismatch');
    expect(r.examples[0]).toContain('kafka');
  });
  it('years of milliseconds: two clocks the other way round', () => expect(compareResults.run(history({ ...good, redis: { ...good.redis, p50: 1.796e12, p99: 1.796e12 + 30 } }), {}).cause).toBe('clock-mismatch'));
  it('a long but possible p99 is no clock problem', () => expect(compareResults.run(history({ ...good, redis: { ...good.redis, p99: 25_000 } }), {}).status).toBe('pass'));
  it('p50 above p99: latencies sorted as text', () => {
    const r = compareResults.run(history({ ...good, rabbitmq: { ...good.rabbitmq, p50: 9.8, p99: 10.2 }, redis: { ...good.redis, p50: 7.5, p99: 12.1 }, kafka: { ...good.kafka, p50: 8.9, p99: 100.4 } }), {});
    expect(r.status).toBe('pass');
    const sortedAsText = compareResults.run(history({ ...good, rabbitmq: { ...good.rabbitmq, p50: 42.3, p99: 9.9 } }), {});
    expect(sortedAsText.cause).toBe('p50-above-p99');
    expect(sortedAsText.examples).toEqual(['rabbitmq: p50 42.3 ms, p99 9.9 ms']);
  });
  it('p50 equal to p99 is consistent', () => expect(compareResults.run(history({ ...good, redis: { ...good.redis, p50: 21, p99: 21 } }), {}).status).toBe('pass'));
  it('a clock problem comes before p50 above p99 and a wrong count', () => expect(compareResults.run(history({ ...good, redis: { ...good.redis, count: 1999 }, rabbitmq: { ...good.rabbitmq, p50: 50, p99: 40 }, kafka: { ...good.kafka, p99: -5 } }), {}).cause).toBe('clock-mismatch'));
});

describe('compare-evidence', () => {
  it('passes when every broker got and consumed the workload', () => expect(compareEvidence.run(history(good), {}).status).toBe('pass'));
  it('nothing published on one broker', () => expect(compareEvidence.run(history(good, [evidence('redis', { published: 0, consumed: 0 }), evidence('rabbitmq'), evidence('kafka')]), {}).cause).toBe('not-run'));
  it('published twice', () => expect(compareEvidence.run(history(good, [evidence('redis'), evidence('rabbitmq', { published: 4000 }), evidence('kafka')]), {}).cause).toBe('wrong-count'));
  it('wrong size', () => expect(compareEvidence.run(history(good, [evidence('redis', { wrongSizes: [100] }), evidence('rabbitmq'), evidence('kafka')]), {}).cause).toBe('wrong-size'));
  it('never consumed: the queue left full, no commit', () => {
    const r = compareEvidence.run(history(good, [evidence('redis'), evidence('rabbitmq', { consumed: 0 }), evidence('kafka', { consumed: null })]), {});
    expect(r.cause).toBe('not-consumed');
    expect(r.examples).toHaveLength(2);
  });
  it('read, never acked: Observed shows the pending count', () => {
    const r = compareEvidence.run(history(good, [evidence('redis', { pending: 2000 }), evidence('rabbitmq'), evidence('kafka')]), {});
    expect(r.cause).toBe('not-acked');
    expect(r.observed).toContain('redis 2000 published, 2000 consumed, 2000 pending');
  });
  it('brokers measured at once: Kafka records timestamped while the Redis stream was filled', () => {
    const r = compareEvidence.run(history(good, [evidence('redis', { publishedWindowMs: [1000, 1950] }), evidence('rabbitmq'), evidence('kafka', { publishedDuring: { redis: 1800 } })]), {});
    expect(r.cause).toBe('measured-at-once');
    expect(r.examples[0]).toContain('kafka: 1800 of its 2000 messages published while redis');
  });
  it('one after the other (none, or a boundary millisecond\'s few, inside the window) passes', () => {
    expect(compareEvidence.run(history(good, [evidence('redis'), evidence('rabbitmq'), evidence('kafka', { publishedDuring: { redis: 0 } })]), {}).status).toBe('pass');
    expect(compareEvidence.run(history(good, [evidence('redis'), evidence('rabbitmq'), evidence('kafka', { publishedDuring: { redis: 3 } })]), {}).status).toBe('pass');
  });
  it('a broker\'s own failure comes before measured-at-once', () => expect(compareEvidence.run(history(good, [evidence('redis', { pending: 5 }), evidence('rabbitmq'), evidence('kafka', { publishedDuring: { redis: 2000 } })]), {}).cause).toBe('not-acked'));
  it('RabbitMQ delivered with auto-ack', () => {
    const r = compareEvidence.run(history(good, [evidence('redis'), evidence('rabbitmq', { autoAcked: 2000 }), evidence('kafka')]), {});
    expect(r.cause).toBe('auto-ack');
    expect(r.examples).toEqual(['rabbitmq: 2000 of 2000 delivered with auto-ack (the broker dropped each as it sent it, no ack from your consumer)']);
  });
  it('manual acks, or statistics that never caught up (null), are no auto-ack', () => {
    expect(compareEvidence.run(history(good, [evidence('redis'), evidence('rabbitmq', { autoAcked: 0 }), evidence('kafka')]), {}).status).toBe('pass');
    expect(compareEvidence.run(history(good, [evidence('redis'), evidence('rabbitmq', { autoAcked: null }), evidence('kafka')]), {}).status).toBe('pass');
  });
  it('not consumed comes before auto-ack', () => expect(compareEvidence.run(history(good, [evidence('redis'), evidence('rabbitmq', { consumed: 1000, autoAcked: 1000 }), evidence('kafka')]), {}).cause).toBe('not-consumed'));
  it('the Redis group read nothing, yet the program received all: XREAD, not XREADGROUP', () => {
    const r = compareEvidence.run(history(good, [evidence('redis', { consumed: 0 }), evidence('rabbitmq'), evidence('kafka')]), {});
    expect(r.cause).toBe('no-group-read');
    expect(r.examples[0]).toContain('yet RESULTS_FILE says');
  });
  it('the Redis group read nothing and the program did not claim it: not consumed', () =>
    expect(compareEvidence.run(history({ ...good, redis: { ...good.redis, count: 0 } }, [evidence('redis', { consumed: 0 }), evidence('rabbitmq'), evidence('kafka')]), {}).cause).toBe('not-consumed'));
  it('no consumer anywhere is not-consumed, not no-group-read', () =>
    expect(compareEvidence.run(history(good, [evidence('redis', { consumed: 0 }), evidence('rabbitmq', { consumed: 0 }), evidence('kafka', { consumed: null })]), {}).cause).toBe('not-consumed'));
  it('not-run names the broker and where it should have published', () => {
    const r = compareEvidence.run(history({ redis: good.redis, rabbitmq: good.rabbitmq }, [evidence('redis'), evidence('rabbitmq'), evidence('kafka', { published: 0, consumed: null })]), {});
    expect(r.cause).toBe('not-run');
    expect(r.examples).toEqual(['kafka: nothing published to the topic BENCH_TOPIC']);
  });
  it('unknown without evidence', () => expect(compareEvidence.run(history(good, []), {}).status).toBe('unknown'));
});

describe('compare-throughput', () => {
  it('passes near the lab', () => expect(compareThroughput.run(history(good), throughputParams).status).toBe('pass'));
  it('messages per millisecond are far below', () => {
    const r = compareThroughput.run(history({ ...good, redis: { ...good.redis, throughput: 2.19 } }), throughputParams);
    expect(r.cause).toBe('far-below');
    expect(r.examples[0]).toContain('redis');
  });
  it('far above on a broker that saw the run is named unpaced', () => expect(compareThroughput.run(history({ ...good, kafka: { ...good.kafka, throughput: 80_000 } }), throughputParams).cause).toBe('unpaced'));
  it('judges only the brokers the file gives', () => expect(compareThroughput.run(history({ redis: good.redis }), throughputParams).status).toBe('pass'));
  it('unknown without usable results', () => expect(compareThroughput.run(history('nope'), throughputParams).status).toBe('unknown'));
  it('unpaced bursts on brokers that saw the run: unpaced, not blog numbers', () => {
    const r = compareThroughput.run(history({ ...good, redis: { ...good.redis, throughput: 16_423 }, kafka: { ...good.kafka, throughput: 12_381 } }), throughputParams);
    expect(r.cause).toBe('unpaced');
    expect(r.examples[0]).toContain('redis');
  });
  const noRun = [evidence('redis', { published: 0, consumed: 0 }), evidence('rabbitmq', { published: 0, consumed: 0 }), evidence('kafka', { published: 0, consumed: null })];
  it('numbers no broker saw produced are undecided, not passed (a program that never ran the workload)', () => {
    const r = compareThroughput.run(history(good, noRun), throughputParams);
    expect(r.status).toBe('unknown');
    expect(r.observed).toContain('no broker\'s numbers came from this run\'s workload: see compare-evidence');
  });
  it('numbers of its own are not judged far above when the workload never ran', () => expect(compareThroughput.run(history({ ...good, kafka: { ...good.kafka, throughput: 80_000 } }, noRun), throughputParams).status).toBe('unknown'));
  it('a broker skipped (no evidence, no numbers): the others are judged but the check does not pass', () => {
    const skipped = [evidence('redis'), evidence('rabbitmq'), evidence('kafka', { published: 0, consumed: null })];
    const r = compareThroughput.run(history({ redis: good.redis, rabbitmq: good.rabbitmq }, skipped), throughputParams);
    expect(r.status).toBe('unknown');
    expect(r.observed).toContain('kafka not judged');
    expect(compareThroughput.run(history({ redis: { ...good.redis, throughput: 2.2 }, rabbitmq: good.rabbitmq }, skipped), throughputParams).cause).toBe('far-below');
  });
  it('a broker published twice is not judged', () => expect(compareThroughput.run(history(good, [evidence('redis'), evidence('rabbitmq', { published: 4000 }), evidence('kafka')]), throughputParams).status).toBe('unknown'));
  it('unknown without any evidence read', () => expect(compareThroughput.run(history(good, []), throughputParams).status).toBe('unknown'));
});

describe('compare-p99', () => {
  it('passes a slower client within the band', () => expect(compareP99.run(history(good), p99Params).status).toBe('pass'));
  it('a faster client above the floor passes', () => expect(compareP99.run(history({ ...good, rabbitmq: { ...good.rabbitmq, p99: 2.5 } }), p99Params).status).toBe('pass'));
  it('under the floor fails even close to a quick lab run', () => {
    const quickLab = { ...lab, value: { numbers: { redis: { count: 2000, throughput: 2200, p50: 1, p99: 3.8 } } } };
    expect(compareP99.run([plan, quickLab, results({ ...good, redis: { ...good.redis, p99: 0.55 } }), ...allEvidence], p99Params).cause).toBe('far-below');
  });
  it('a ratio band judges without a floor', () => expect(compareThroughput.run(history({ ...good, redis: { ...good.redis, throughput: 600 } }), throughputParams).cause).toBe('far-below'));
  it('the publish call alone is far below', () => expect(compareP99.run(history({ ...good, kafka: { ...good.kafka, p99: 0.04 } }), p99Params).cause).toBe('far-below'));
  it('seconds are far below', () => expect(compareP99.run(history({ ...good, redis: { ...good.redis, p99: 0.021 } }), p99Params).cause).toBe('far-below'));
  it('microseconds are far above', () => expect(compareP99.run(history({ ...good, redis: { ...good.redis, p99: 21_000 } }), p99Params).cause).toBe('far-above'));
  it('the worst broker names the cause', () => {
    const r = compareP99.run(history({ ...good, redis: { ...good.redis, p99: 0.001 }, kafka: { ...good.kafka, p99: 4_000 } }), p99Params);
    expect(r.cause).toBe('far-below');
    expect(r.examples).toHaveLength(2);
  });
  it('latencies from two clocks are compare-results\' to report, not judged here', () => {
    const clocks = { redis: { ...good.redis, p50: -1.79e12, p99: -1.79e12 }, rabbitmq: { ...good.rabbitmq, p50: -1.79e12, p99: -1.79e12 }, kafka: { ...good.kafka, p50: -1.79e12, p99: -1.79e12 } };
    expect(compareP99.run(history(clocks), p99Params).status).toBe('unknown');
    expect(compareP99.run(history(clocks), p99Params).observed).toContain('two different clocks');
    expect(compareThroughput.run(history(clocks), throughputParams).status).toBe('pass');
    expect(compareP99.run(history({ ...good, redis: { ...good.redis, p99: 1.796e12 } }), p99Params).status).toBe('pass');
  });
  it('p99 far above stays far-above (a throughput-only cause is not used)', () => expect(compareP99.run(history({ ...good, redis: { ...good.redis, p99: 21_000 } }), p99Params).cause).toBe('far-above'));
  it('no evidence: undecided', () => expect(compareP99.run(history(good, [evidence('redis', { published: 0, consumed: 0 }), evidence('rabbitmq', { published: 0, consumed: 0 }), evidence('kafka', { published: 0, consumed: null })]), p99Params).status).toBe('unknown'));
  it('refuses a factor of 1 or less, or no lower bound', () => {
    expect(() => compareP99.parseParams({ below: 1, above: 2 })).toThrow();
    expect(() => compareP99.parseParams({ above: 2 })).toThrow();
  });
});
