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
  it('read, never acked', () => expect(compareEvidence.run(history(good, [evidence('redis', { pending: 2000 }), evidence('rabbitmq'), evidence('kafka')]), {}).cause).toBe('not-acked'));
  it('unknown without evidence', () => expect(compareEvidence.run(history(good, []), {}).status).toBe('unknown'));
});

describe('compare-throughput', () => {
  it('passes near the lab', () => expect(compareThroughput.run(history(good), throughputParams).status).toBe('pass'));
  it('messages per millisecond are far below', () => {
    const r = compareThroughput.run(history({ ...good, redis: { ...good.redis, throughput: 2.19 } }), throughputParams);
    expect(r.cause).toBe('far-below');
    expect(r.examples[0]).toContain('redis');
  });
  it('blog numbers are far above', () => expect(compareThroughput.run(history({ ...good, kafka: { ...good.kafka, throughput: 80_000 } }), throughputParams).cause).toBe('far-above'));
  it('judges only the brokers the file gives', () => expect(compareThroughput.run(history({ redis: good.redis }), throughputParams).status).toBe('pass'));
  it('unknown without usable results', () => expect(compareThroughput.run(history('nope'), throughputParams).status).toBe('unknown'));
});

describe('compare-p99', () => {
  it('passes a slower client within the band', () => expect(compareP99.run(history(good), p99Params).status).toBe('pass'));
  it('a faster client above the floor passes', () => expect(compareP99.run(history({ ...good, rabbitmq: { ...good.rabbitmq, p99: 2.5 } }), p99Params).status).toBe('pass'));
  it('under the floor fails even close to a quick lab run', () => {
    const quickLab = { ...lab, value: { numbers: { redis: { count: 2000, throughput: 2200, p50: 1, p99: 3.8 } } } };
    expect(compareP99.run([plan, quickLab, results({ ...good, redis: { ...good.redis, p99: 0.55 } })], p99Params).cause).toBe('far-below');
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
  it('refuses a factor of 1 or less, or no lower bound', () => {
    expect(() => compareP99.parseParams({ below: 1, above: 2 })).toThrow();
    expect(() => compareP99.parseParams({ above: 2 })).toThrow();
  });
});
