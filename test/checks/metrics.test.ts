// metrics-exposed and metrics-agree over literal histories: a run of the monitoring exercise
// (15 + 1 + 6 jobs, a kill at 4.5 s and a restart at 4.7 s, idle from 7.5 s) and what
// Prometheus scraped, one sample a second.
import { describe, expect, it } from 'vitest';
import { metricsAgree, metricsExposed } from '../../src/checks/metrics.js';
import type { Operation } from '../../src/runner/history.js';
import type { PrometheusMetrics, ScrapedSeries } from '../../src/runner/observations.js';

const start = (t: number, n: number): Operation => ({ t, process: 'learner-1', kind: 'process', outcome: 'ok', value: { event: 'start', pid: 100 + n, start: n } });
const phase = (t: number, name: string): Operation => ({ t, process: 'lab', kind: 'phase', outcome: 'info', key: name });
const job = (n: number, durationMs: number, fail: boolean, phase = 'steady', t = 500 + n): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'jobs', key: `job-${n}`, value: { jobId: `job-${n}`, durationMs, fail, phase, tags: [] } });

/** 15 steady jobs (3 fail), the slow one, 6 behind it (2 fail): 17 succeeded, 5 failed, 3.2 s of work. */
const JOBS = [
  ...Array.from({ length: 15 }, (_, i) => job(i + 1, 80, (i + 1) % 5 === 0)),
  job(16, 2_000, false, 'slow', 2_510),
  ...Array.from({ length: 6 }, (_, i) => job(17 + i, 80, (i + 1) % 3 === 0, 'behind-slow', 2_600 + i)),
];
const MEAN_S = (15 * 80 + 2_000 + 6 * 80) / 22 / 1000;

const TIMES = [2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000];
/** A series sampled at TIMES (the scrape at 4.6 s hit the dead process: no sample). */
const series = (name: string, values: number[], labels: Record<string, string> = {}): ScrapedSeries => ({ name, labels, samples: values.map((v, i): [number, number] => [TIMES[i] ?? 0, v]) });

/** What a correct worker shows: counters per process, restarted at 4.7 s. */
function correct(): ScrapedSeries[] {
  return [
    series('jobs_processed_total', [12, 12, 12, 0, 0, 5, 5, 5], { outcome: 'succeeded' }),
    series('jobs_processed_total', [3, 3, 3, 0, 0, 2, 2, 2], { outcome: 'failed' }),
    series('job_duration_seconds_count', [15, 15, 15, 0, 0, 7, 7, 7]),
    series('job_duration_seconds_sum', [1.2, 1.2, 1.2, 0, 0, 2.48, 2.48, 2.48]),
    series('jobs_in_progress', [0, 1, 1, 1, 1, 0, 0, 0]),
    series('jobs_queue_depth', [0, 6, 6, 6, 6, 0, 0, 0]),
    series('job_duration_seconds_bucket', [0, 0, 0, 0, 0, 0, 0, 0], { le: '0.05' }),
    series('job_duration_seconds_bucket', [15, 15, 15, 0, 0, 6, 6, 6], { le: '0.1' }),
    series('job_duration_seconds_bucket', [15, 15, 15, 0, 0, 7, 7, 7], { le: '2.5' }),
    series('job_duration_seconds_bucket', [15, 15, 15, 0, 0, 7, 7, 7], { le: '+Inf' }),
    series('up', [1, 1, 1, 1, 1, 1, 1, 1]),
  ];
}

const TYPES = { jobs_processed_total: 'counter', jobs_in_progress: 'gauge', job_duration_seconds: 'histogram', jobs_queue_depth: 'gauge' };

function run(metrics: Partial<PrometheusMetrics> = {}, exits: Operation[] = []): Operation[] {
  const observed: PrometheusMetrics = { targets: ['127.0.0.1:41234'], scraped: true, types: TYPES, series: correct(), ...metrics };
  return [
    start(0, 1),
    phase(400, 'steady'),
    ...JOBS,
    phase(2_500, 'slow'),
    phase(4_500, 'kill'),
    start(4_700, 2),
    phase(7_500, 'idle'),
    ...exits,
    { t: 9_100, process: 'lab', kind: 'observe', outcome: 'ok', key: 'prometheus-metrics', value: observed },
  ];
}

/** The correct series with one replaced by name (and labels). */
function replaced(name: string, values: number[], labels: Record<string, string> = {}): ScrapedSeries[] {
  return correct().map((s) => (s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels) ? series(name, values, labels) : s));
}

describe('metrics-exposed', () => {
  const params = metricsExposed.parseParams({ metrics: TYPES });
  it('passes when every metric was scraped with its type', () => {
    expect(metricsExposed.run(run(), params).status).toBe('pass');
  });
  it('takes a counter family named without _total (OpenMetrics, prometheus_client)', () => {
    const { jobs_processed_total: _, ...others } = TYPES;
    expect(metricsExposed.run(run({ types: { ...others, jobs_processed: 'counter', jobs_processed_created: 'gauge' } }), params).status).toBe('pass');
  });
  it('says not-scraped when Prometheus never read the program', () => {
    const result = metricsExposed.run(run({ scraped: false, series: [series('up', [0, 0, 0])] }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'not-scraped' });
    expect(result.examples[0]).toContain('127.0.0.1:41234/metrics');
  });
  it('names the missing metrics', () => {
    const result = metricsExposed.run(run({ series: correct().filter((s) => s.name !== 'jobs_queue_depth') }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'missing-metric' });
    expect(result.observed).toContain('jobs_queue_depth');
  });
  it('names a metric whose # TYPE is another', () => {
    const result = metricsExposed.run(run({ types: { ...TYPES, jobs_processed_total: 'gauge' } }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'wrong-type' });
    expect(result.examples[0]).toBe('jobs_processed_total: # TYPE says gauge, the README asks for counter');
  });
  it('takes text/plain and OpenMetrics content types', () => {
    expect(metricsExposed.run(run({ contentType: 'text/plain; version=0.0.4; charset=utf-8' }), params).status).toBe('pass');
    expect(metricsExposed.run(run({ contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8' }), params).status).toBe('pass');
  });
  it('says wrong-content-type for a /metrics answer without a Content-Type', () => {
    const result = metricsExposed.run(run({ contentType: null }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'wrong-content-type' });
    expect(result.observed).toBe('your /metrics answer had no Content-Type header');
  });
});

describe('metrics-agree', () => {
  const params = metricsAgree.parseParams({ queuedBehindSlow: 6 });
  it('passes a correct worker: the restart\'s reset to 0 is not a decrease', () => {
    const result = metricsAgree.run(run(), params);
    expect(result.status).toBe('pass');
    expect(result.observed).toContain('17 succeeded and 5 failed');
  });
  it('says counter-decreased for a counter zeroed after each scrape', () => {
    const result = metricsAgree.run(run({ series: replaced('jobs_processed_total', [12, 0, 0, 0, 0, 4, 0, 0], { outcome: 'succeeded' }) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'counter-decreased' });
    expect(result.examples[0]).toBe('jobs_processed_total{outcome="succeeded"} at 3.0s: 12 -> 0');
  });
  it('says counted-too-many when the slow job was counted on arrival, before the kill', () => {
    const result = metricsAgree.run(run({ series: replaced('jobs_processed_total', [12, 13, 13, 0, 0, 5, 5, 5], { outcome: 'succeeded' }) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'counted-too-many' });
    expect(result.observed).toContain('23 jobs processed');
  });
  it('says counted-too-few when failures are not counted', () => {
    const result = metricsAgree.run(run({ series: correct().filter((s) => s.labels.outcome !== 'failed') }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'counted-too-few' });
  });
  it('says outcome-wrong when failures are counted as successes', () => {
    const allSucceeded = [...correct().filter((s) => s.name !== 'jobs_processed_total'), series('jobs_processed_total', [15, 15, 15, 0, 0, 7, 7, 7], { outcome: 'succeeded' })];
    const result = metricsAgree.run(run({ series: allSucceeded }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'outcome-wrong' });
    expect(result.examples).toContain('5 jobs had "fail": true; outcome="failed" counted 0');
  });
  it('says wrong-unit for milliseconds in job_duration_seconds', () => {
    const result = metricsAgree.run(run({ series: replaced('job_duration_seconds_sum', [1200, 1200, 1200, 0, 0, 2480, 2480, 2480]) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'wrong-unit' });
    expect(MEAN_S).toBeCloseTo(0.167, 3);
  });
  it('says duration-off for a mean far from the jobs\' durations in the right unit', () => {
    const result = metricsAgree.run(run({ series: replaced('job_duration_seconds_sum', [6, 6, 6, 0, 0, 8, 8, 8]) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'duration-off' });
  });
  it('says in-progress-never-rose for a gauge that never moved', () => {
    const result = metricsAgree.run(run({ series: replaced('jobs_in_progress', [0, 0, 0, 0, 0, 0, 0, 0]) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'in-progress-never-rose' });
  });
  it('says in-progress-stuck for a gauge left up by failed jobs', () => {
    const result = metricsAgree.run(run({ series: replaced('jobs_in_progress', [3, 4, 4, 1, 1, 2, 2, 2]) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'in-progress-stuck' });
    expect(result.observed).toContain('was 2 with nothing to do');
  });
  it('says depth-stale for a depth read once at start (0, then 7 after the restart)', () => {
    const result = metricsAgree.run(run({ series: replaced('jobs_queue_depth', [0, 0, 0, 7, 7, 7, 7, 7]) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'depth-stale' });
    expect(result.observed).toContain('at most 0 while 6 jobs waited');
  });
  it('says depth-stale for a depth that stays at 0 when idle', () => {
    const result = metricsAgree.run(run({ series: replaced('jobs_queue_depth', [0, 6, 6, 6, 6, 6, 6, 6]) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'depth-stale' });
    expect(result.observed).toContain('was 6 when JOBS_QUEUE had been empty');
  });
  it('says depth-stale for a depth read only when a job starts (0 while the first process holds the slow job)', () => {
    const result = metricsAgree.run(run({ series: replaced('jobs_queue_depth', [0, 0, 0, 6, 6, 0, 0, 0]) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'depth-stale' });
  });
  it('passes a depth that is still 5 (read before the last job queued) just after the jobs queued', () => {
    expect(metricsAgree.run(run({ series: replaced('jobs_queue_depth', [0, 5, 6, 6, 6, 0, 0, 0]) }), params).status).toBe('pass');
  });
  it('says depth-counts-held for a depth that adds the job in progress', () => {
    const result = metricsAgree.run(run({ series: replaced('jobs_queue_depth', [0, 7, 7, 7, 7, 0, 0, 0]) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'depth-counts-held' });
    expect(result.observed).toContain('showed 7 while 6 jobs were ready');
  });
  it('is unknown when no depth was scraped between the jobs queuing and the kill', () => {
    const result = metricsAgree.run(run({ series: correct().map((s) => ({ ...s, samples: s.samples.filter(([t]) => t !== 4_000) })) }), params);
    expect(result.status).toBe('unknown');
  });
  it('says counters-restored when the restarted program goes on from the last count', () => {
    const result = metricsAgree.run(run({ series: replaced('jobs_processed_total', [12, 12, 12, 12, 12, 17, 17, 17], { outcome: 'succeeded' }) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'counters-restored' });
    expect(result.examples[0]).toContain('12 in the last scrape before the restart, 12 in the restarted program\'s first scrape');
  });
  it('says buckets-not-cumulative for per-range buckets', () => {
    const result = metricsAgree.run(run({ series: replaced('job_duration_seconds_bucket', [15, 15, 15, 0, 0, 1, 1, 1], { le: '2.5' }) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'buckets-not-cumulative' });
    expect(result.examples[0]).toBe('7.0s: le="0.1" counted 6 but le="2.5" only 1');
  });
  it('says buckets-not-cumulative when le="+Inf" is not _count', () => {
    const result = metricsAgree.run(run({ series: replaced('job_duration_seconds_bucket', [0, 0, 0, 0, 0, 0, 0, 0], { le: '+Inf' }).filter((s) => s.labels.le === undefined || s.labels.le === '+Inf') }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'buckets-not-cumulative' });
    expect(result.examples[0]).toBe('2.0s: le="+Inf" was 0, _count 15');
  });
  it('says program-exited, not a slow scrape, when the program crashed before the idle phase', () => {
    const crash: Operation = { t: 6_500, process: 'learner-1', kind: 'process', outcome: 'fail', value: { event: 'exit', pid: 102, start: 2, code: 1, signal: null, byLab: false } };
    const result = metricsAgree.run(run({ series: correct().map((s) => ({ ...s, samples: s.samples.filter(([t]) => t < 7_000) })) }, [crash]), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'program-exited' });
  });
  it('says depth-stale for a depth that never showed the waiting jobs', () => {
    const result = metricsAgree.run(run({ series: replaced('jobs_queue_depth', [0, 0, 0, 0, 0, 0, 0, 0]) }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'depth-stale' });
    expect(result.observed).toContain('at most 0 while 6 jobs waited');
  });
  it('says not-exposed when a metric is missing', () => {
    const result = metricsAgree.run(run({ series: correct().filter((s) => s.name !== 'jobs_in_progress') }), params);
    expect(result).toMatchObject({ status: 'fail', cause: 'not-exposed' });
  });
  it('is unknown without a sample in the idle phase', () => {
    const result = metricsAgree.run(run({ series: correct().map((s) => ({ ...s, samples: s.samples.filter(([t]) => t < 8_000) })) }), params);
    expect(result.status).toBe('unknown');
  });
});
