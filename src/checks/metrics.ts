/**
 * A program's own metrics, as the real Prometheus scraped them: metrics-exposed (the right
 * names and types reach Prometheus) and metrics-agree (their values tell the truth, compared
 * with the lab's own counts).
 *
 * Definitions:
 * - scraped: Prometheus read the program's /metrics (up == 1) before the lab sent any job
 *   (observation "prometheus-metrics", workloads/blocks/prometheus.ts).
 * - a metric's family type: what the program's `# TYPE` line said, as Prometheus kept it. A
 *   counter's family may be named with or without `_total` (the text format names it
 *   `jobs_processed_total`, OpenMetrics `jobs_processed`); a histogram's family is its base
 *   name (`job_duration_seconds`), its series `_bucket`, `_sum` and `_count`.
 * - a process's lifetime: from one start of the program (a `process` start event) until the
 *   next. A scrape belongs to the lifetime its time falls in.
 * - a counter's reading over the run: for each series (one per label set), the sum over the
 *   lifetimes of its last sample in that lifetime. Every process starts its counters at 0
 *   (a restart is a reset Prometheus expects: increase() adds what came after it), so what a
 *   process counted is the last value scraped from it.
 * - decreased: a counter's sample lower than the one before it in the same lifetime. A
 *   counter only goes up while its process lives; Prometheus takes any drop for a restart and
 *   its rates and increases are wrong from then on.
 * - the lab's counts: the jobs it sent (produce on stream `jobs`), each with `fail` and
 *   `durationMs`. Every job ends exactly once in a correct program: the kill comes while a
 *   job is unfinished and seconds after the last one ended.
 * - phases: "slow" (a slow job running, `queuedBehindSlow` jobs ready behind it), "kill",
 *   "idle" (nothing to do: from IDLE_SETTLE_MS after it starts, every gauge sample must be 0).
 *
 * metrics-exposed passes when Prometheus scraped the program and found every metric of
 * `metrics` with its type. Causes: not-scraped; missing-metric; wrong-type.
 *
 * metrics-agree passes when, for the metrics that reached Prometheus: no counter decreased;
 * jobs_processed_total counted exactly the lab's jobs, by outcome; job_duration_seconds's mean
 * (sum / count) is within DURATION_TOLERANCE of the jobs' durations; jobs_in_progress rose
 * during the slow job and was 0 when idle; jobs_queue_depth reached the jobs waiting behind the
 * slow job (less one) and was 0 when idle. Causes, the first that applies: not-exposed;
 * counter-decreased; counted-too-many (more jobs counted than ended: counted when received, or
 * a job counted twice); counted-too-few; outcome-wrong (the total is right, the split by
 * outcome is not); wrong-unit (a mean 100 times off or more: milliseconds); duration-off;
 * in-progress-never-rose; in-progress-stuck; depth-stale; program-exited.
 */
import type { History } from '../runner/history.js';
import { learnerEvents } from '../runner/learner-events.js';
import { type PrometheusMetrics, type ScrapedSeries, lastObservation } from '../runner/observations.js';
import { EXITED_CAUSE, blamedOnExit, exitedEarly } from './exited.js';
import { type CheckDefinition, type CheckResult, firstFew, num, select } from './types.js';

/** From this long after "idle" starts, every gauge sample must be 0 (a gauge refreshed on a
 *  timer of up to a second has caught up, and a scrape came after it). */
export const IDLE_SETTLE_MS = 1_200;

/** The histogram's mean may be this much below the jobs' mean duration (timer granularity)... */
const DURATION_LOW = 0.9;
/** ...and this much above it, plus DURATION_SLACK_S (a job's own overhead around the work). */
const DURATION_HIGH = 1.5;
const DURATION_SLACK_S = 0.05;
/** A mean this many times off is a unit mistake, not a slow timer. */
const UNIT_FACTOR = 100;

const OUTCOMES = ['succeeded', 'failed'] as const;

// --- shared reading of the observation --------------------------------------------------------

function observed(history: History): PrometheusMetrics | undefined {
  return lastObservation(history, 'prometheus-metrics');
}

/** The series of a metric name. */
function seriesOf(m: PrometheusMetrics, name: string): ScrapedSeries[] {
  return m.series.filter((s) => s.name === name);
}

/** Start times of the program's lifetimes (copy 1), in order. */
function lifetimes(history: History): number[] {
  return learnerEvents(history)
    .filter((op) => op.value.event === 'start')
    .map((op) => op.t);
}

/** The lifetime index a time falls in (-1 before the first start). */
function lifetimeOf(starts: readonly number[], t: number): number {
  let index = -1;
  for (let i = 0; i < starts.length; i++) if (t >= (starts[i] ?? Infinity)) index = i;
  return index;
}

/** The family type Prometheus recorded for a metric (a counter with or without `_total`). */
function familyType(m: PrometheusMetrics, name: string): string | undefined {
  return m.types[name] ?? (name.endsWith('_total') ? m.types[name.slice(0, -'_total'.length)] : undefined);
}

/** A metric is there when it has a series (a histogram: its `_count`). */
function present(m: PrometheusMetrics, name: string, type: string): boolean {
  return seriesOf(m, type === 'histogram' ? `${name}_count` : name).length > 0;
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

function phaseAt(history: History, name: string): number | undefined {
  return history.find((op) => op.kind === 'phase' && op.key === name)?.t;
}

// --- metrics-exposed ----------------------------------------------------------------------------

export interface ExposedParams {
  /** Metric name -> the type its `# TYPE` line must say ("counter", "gauge", "histogram"). */
  metrics: Record<string, string>;
}

const EXPOSED_CAUSES = {
  'not-scraped': 'Prometheus could not read your /metrics: nothing answered on the port METRICS_PORT gives, or the answer was not in Prometheus\'s text format ("# TYPE" lines and "name{label=\"value\"} number" samples, not JSON). Serve it from the moment your program starts.',
  'missing-metric': 'A metric the README names is not on your /metrics (or not under that exact name): Prometheus only knows what your program prints.',
  'wrong-type': 'A metric has the wrong "# TYPE" line: a count that only grows is a counter, a value that goes up and down is a gauge, and timings go in a histogram.',
} as const;

export const metricsExposed: CheckDefinition<ExposedParams> = {
  name: 'metrics-exposed',
  causes: EXPOSED_CAUSES,
  parseParams(raw) {
    const metrics = raw.metrics;
    if (typeof metrics !== 'object' || metrics === null || Object.values(metrics).some((t) => typeof t !== 'string')) {
      throw new Error('"metrics" must map each metric name to its type, e.g. {"jobs_in_progress": "gauge"}');
    }
    return { metrics: metrics as Record<string, string> };
  },
  run(history, { metrics }) {
    const title = 'Your metrics reach Prometheus, with the names and types asked';
    const names = Object.entries(metrics);
    const expected = `Prometheus scrapes your /metrics and finds ${names.map(([n, t]) => `${n} (${t})`).join(', ')}`;
    const m = observed(history);
    if (!m) return { title, status: 'unknown', expected, observed: 'the lab read nothing back from Prometheus (the run stopped early)', examples: [] };
    if (!m.scraped) {
      const exit = exitedEarly(history);
      const result = {
        title,
        status: 'fail' as const,
        expected,
        observed: `Prometheus never scraped http://${m.targets.join(', http://')}/metrics successfully: nothing answered there with metrics`,
        examples: [`GET http://${m.targets[0] ?? '?'}/metrics: no answer Prometheus could read (up = 0)`],
        cause: 'not-scraped',
      };
      return exit ? blamedOnExit(result, exit) : result;
    }
    const missing = names.filter(([name, type]) => !present(m, name, type));
    if (missing.length > 0) {
      const others = [...new Set(m.series.map((s) => s.name).filter((n) => n !== 'up'))];
      return {
        title,
        status: 'fail',
        expected,
        observed: `${missing.length} of ${names.length} metrics were never on your /metrics: ${missing.map(([n]) => n).join(', ')}`,
        examples: firstFew([...missing.map(([n, t]) => `no ${t} named ${n}${t === 'histogram' ? ` (no ${n}_count series)` : ''}`), ...(others.length > 0 ? [`the exercise's names Prometheus did find: ${others.join(', ')}`] : [])]),
        cause: 'missing-metric',
      };
    }
    const wrong = names.filter(([name, type]) => {
      const actual = familyType(m, name.replace(/_total$/, '')) ?? familyType(m, name);
      return actual !== undefined && actual !== type;
    });
    if (wrong.length > 0) {
      return {
        title,
        status: 'fail',
        expected,
        observed: `${wrong.length} of ${names.length} metrics have another type in their # TYPE line`,
        examples: wrong.map(([name, type]) => `${name}: # TYPE says ${familyType(m, name.replace(/_total$/, '')) ?? familyType(m, name)}, the README asks for ${type}`),
        cause: 'wrong-type',
      };
    }
    return { title, status: 'pass', expected, observed: `Prometheus scraped ${names.map(([n]) => n).join(', ')} with the types asked`, examples: [] };
  },
};

// --- metrics-agree ------------------------------------------------------------------------------

export interface AgreeParams {
  /** Jobs the lab put behind the slow one: the queue depth a correct gauge shows then. */
  queuedBehindSlow: number;
}

const AGREE_CAUSES = {
  'not-exposed': 'Your metrics did not reach Prometheus (see "metrics-exposed"): the lab had nothing to compare with its counts.',
  'counter-decreased': 'A counter went down while your program kept running. A counter only ever goes up in its process\'s life: never reset it when /metrics is read or on a timer (Prometheus computes rates and increases itself, and takes any drop for a restart).',
  'counted-too-many': 'Your counter counted more jobs than ended: count a job when its work has ended (just before you ack or reject it), not when it arrives; a job in progress when your program dies is delivered again and must be counted once, by the process that finishes it.',
  'counted-too-few': 'Your counter counted fewer jobs than ended: count every job, failed ones too, once its work has ended.',
  'outcome-wrong': 'The total is right but the split by outcome is not: label each count with outcome="succeeded" or outcome="failed", exactly those words, as the job ended.',
  'wrong-unit': 'job_duration_seconds is 100 times off or more: Prometheus\'s base unit for time is the second (observe 0.12, not 120).',
  'duration-off': 'job_duration_seconds\'s average is far from how long the jobs took: time the work of each job (start before it, observe after it) and observe seconds.',
  'in-progress-never-rose': 'jobs_in_progress never showed a job in progress although one ran for seconds: increment it when a job starts and decrement it when it ends, on every path.',
  'in-progress-stuck': 'jobs_in_progress stayed above 0 with nothing to do: decrement it whenever a job ends, failed ones too (a finally block).',
  'depth-stale': 'jobs_queue_depth did not follow the queue: read the queue\'s ready messages (a passive declare: amqplib checkQueue, pika queue_declare(passive=True)) at least every second, or at each scrape, not once at start.',
  ...EXITED_CAUSE,
} as const;

/** What Prometheus makes of a counter over the run: per label set, the last sample of each lifetime, summed. */
interface CounterReading {
  total: number;
  byLabels: Map<string, number>;
  /** Drops within a lifetime, as "t: a -> b". */
  drops: string[];
}

function readCounter(series: readonly ScrapedSeries[], starts: readonly number[], labelKey: (labels: Record<string, string>) => string): CounterReading {
  const byLabels = new Map<string, number>();
  const drops: string[] = [];
  let total = 0;
  for (const s of series) {
    const lastOfLifetime = new Map<number, number>();
    let previous: [number, number] | undefined;
    for (const [t, v] of s.samples) {
      const life = lifetimeOf(starts, t);
      if (previous && lifetimeOf(starts, previous[0]) === life && v < previous[1]) drops.push(`${s.name}${labelText(s.labels)} at ${(t / 1000).toFixed(1)}s: ${previous[1]} -> ${v}`);
      lastOfLifetime.set(life, v);
      previous = [t, v];
    }
    const counted = [...lastOfLifetime.values()].reduce((a, b) => a + b, 0);
    const key = labelKey(s.labels);
    byLabels.set(key, (byLabels.get(key) ?? 0) + counted);
    total += counted;
  }
  return { total, byLabels, drops };
}

/** Every sample of a gauge (all its series), in time order. */
function gaugeSamples(m: PrometheusMetrics, name: string): Array<[number, number]> {
  return seriesOf(m, name)
    .flatMap((s) => s.samples)
    .sort((a, b) => a[0] - b[0]);
}

export const metricsAgree: CheckDefinition<AgreeParams> = {
  name: 'metrics-agree',
  causes: AGREE_CAUSES,
  parseParams(raw) {
    return { queuedBehindSlow: num(raw, 'queuedBehindSlow') };
  },
  run(history, { queuedBehindSlow }) {
    const title = 'Your metrics agree with what happened';
    const jobs = select(history, { kind: 'produce', stream: 'jobs' }, 'ok').map((op) => op.value as { fail?: unknown; durationMs?: unknown });
    const failed = jobs.filter((j) => j.fail === true).length;
    const succeeded = jobs.length - failed;
    const meanS = jobs.reduce((a, j) => a + (typeof j.durationMs === 'number' ? j.durationMs : 0), 0) / Math.max(1, jobs.length) / 1000;
    const expected = `jobs_processed_total counts ${succeeded} succeeded and ${failed} failed jobs (counters never go down while your program runs), job_duration_seconds averages about ${meanS.toFixed(3)}s, jobs_in_progress rises to 1 during the slow job and jobs_queue_depth to ${queuedBehindSlow} while ${queuedBehindSlow} jobs wait behind it, and both are 0 when idle`;
    const m = observed(history);
    if (!m) return { title, status: 'unknown', expected, observed: 'the lab read nothing back from Prometheus (the run stopped early)', examples: [] };
    const fail = (cause: keyof typeof AGREE_CAUSES, observedText: string, examples: string[]): Omit<CheckResult, 'name' | 'weight'> => {
      const result = { title, status: 'fail' as const, expected, observed: observedText, examples: firstFew(examples), cause };
      const exit = exitedEarly(history);
      return exit ? blamedOnExit(result, exit) : result;
    };
    const needed = ['jobs_processed_total', 'job_duration_seconds_count', 'job_duration_seconds_sum', 'jobs_in_progress', 'jobs_queue_depth'];
    const absent = needed.filter((n) => seriesOf(m, n).length === 0);
    if (!m.scraped || absent.length > 0) {
      return fail('not-exposed', m.scraped ? `Prometheus found no ${absent.join(', ')} to compare` : 'Prometheus never scraped your /metrics', []);
    }
    const starts = lifetimes(history);

    // Counters: never down within a lifetime.
    const processed = readCounter(seriesOf(m, 'jobs_processed_total'), starts, (l) => l.outcome ?? '(no outcome label)');
    const count = readCounter(seriesOf(m, 'job_duration_seconds_count'), starts, () => '');
    const sum = readCounter(seriesOf(m, 'job_duration_seconds_sum'), starts, () => '');
    const drops = [...processed.drops, ...count.drops, ...sum.drops];
    if (drops.length > 0) {
      return fail('counter-decreased', `a counter went down ${drops.length} time${drops.length === 1 ? '' : 's'} between two scrapes while your program kept running (no restart in between)`, drops);
    }

    // Counts, then the split by outcome.
    const split = [...processed.byLabels].map(([outcome, n]) => `outcome="${outcome}": ${n}`).join(', ');
    const processes = `the last value scraped from each of your program's ${starts.length} process${starts.length === 1 ? '' : 'es'}, added up`;
    if (processed.total > jobs.length) {
      return fail('counted-too-many', `Prometheus read ${processed.total} jobs processed (${split}; ${processes}); ${jobs.length} jobs ended`, [
        `${processed.total - jobs.length} more than the jobs that ended: the lab killed your program while a job was in progress; a count made when the job arrived counts it again after its redelivery`,
      ]);
    }
    if (processed.total < jobs.length) {
      return fail('counted-too-few', `Prometheus read ${processed.total} jobs processed (${split}; ${processes}); ${jobs.length} jobs ended`, [`${jobs.length - processed.total} jobs were never counted`]);
    }
    const outcomeOff = OUTCOMES.filter((o) => (processed.byLabels.get(o) ?? 0) !== (o === 'failed' ? failed : succeeded));
    if (outcomeOff.length > 0) {
      return fail('outcome-wrong', `the total is right (${processed.total}) but by outcome Prometheus read ${split}; the lab's jobs: ${succeeded} succeeded, ${failed} failed`, [
        ...[...processed.byLabels.keys()].filter((k) => !(OUTCOMES as readonly string[]).includes(k)).map((k) => `an outcome the README does not name: ${k}`),
        `${failed} jobs had "fail": true; outcome="failed" counted ${processed.byLabels.get('failed') ?? 0}`,
      ]);
    }

    // The histogram's mean.
    const mean = count.total > 0 ? sum.total / count.total : Number.NaN;
    const meanText = `job_duration_seconds averaged ${Number.isNaN(mean) ? 'nothing (count 0)' : `${mean.toFixed(3)}s`} over ${count.total} observations; the jobs took ${meanS.toFixed(3)}s on average`;
    if (mean > meanS * UNIT_FACTOR || mean < meanS / UNIT_FACTOR) {
      return fail('wrong-unit', meanText, [`sum ${sum.total.toFixed(3)} / count ${count.total}: ${(mean / meanS).toFixed(0)} times the jobs' durations in seconds`]);
    }
    if (!(mean >= meanS * DURATION_LOW && mean <= meanS * DURATION_HIGH + DURATION_SLACK_S)) {
      return fail('duration-off', meanText, [`expected between ${(meanS * DURATION_LOW).toFixed(3)}s and ${(meanS * DURATION_HIGH + DURATION_SLACK_S).toFixed(3)}s`]);
    }

    // Gauges: up while the slow job runs, 0 when idle.
    const slow = phaseAt(history, 'slow');
    const idle = phaseAt(history, 'idle');
    if (slow === undefined || idle === undefined) return { title, status: 'unknown', expected, observed: 'the run stopped before its idle phase', examples: [] };
    const during = (samples: Array<[number, number]>) => samples.filter(([t]) => t >= slow && t < idle);
    const settled = (samples: Array<[number, number]>) => samples.filter(([t]) => t >= idle + IDLE_SETTLE_MS);
    const inProgress = gaugeSamples(m, 'jobs_in_progress');
    const depth = gaugeSamples(m, 'jobs_queue_depth');
    if (settled(inProgress).length === 0 || settled(depth).length === 0) {
      return { title, status: 'unknown', expected, observed: 'Prometheus stored no sample of the gauges in the idle phase (a slow scrape?)', examples: [] };
    }
    const show = (samples: Array<[number, number]>) => samples.map(([t, v]) => `${(t / 1000).toFixed(1)}s: ${v}`).join(', ');
    const maxDuring = Math.max(0, ...during(inProgress).map(([, v]) => v));
    if (maxDuring < 1) {
      return fail('in-progress-never-rose', `jobs_in_progress stayed at ${maxDuring} while the slow job ran (${(slow / 1000).toFixed(1)}s to ${(idle / 1000).toFixed(1)}s)`, [`samples then: ${show(during(inProgress).slice(0, 8))}`]);
    }
    const stuck = settled(inProgress).filter(([, v]) => v !== 0);
    if (stuck.length > 0) {
      return fail('in-progress-stuck', `jobs_in_progress was ${stuck[0]?.[1]} with nothing to do (idle from ${(idle / 1000).toFixed(1)}s)`, [`idle samples: ${show(settled(inProgress))}`]);
    }
    const depthMax = Math.max(0, ...during(depth).map(([, v]) => v));
    const depthIdle = settled(depth).filter(([, v]) => v !== 0);
    if (depthMax < queuedBehindSlow - 1 || depthIdle.length > 0) {
      return fail(
        'depth-stale',
        depthMax < queuedBehindSlow - 1
          ? `jobs_queue_depth showed at most ${depthMax} while ${queuedBehindSlow} jobs waited in JOBS_QUEUE behind the slow one`
          : `jobs_queue_depth was ${depthIdle[0]?.[1]} when JOBS_QUEUE had been empty for over a second`,
        [`samples while jobs waited: ${show(during(depth).slice(0, 8))}`, `idle samples: ${show(settled(depth))}`],
      );
    }
    return {
      title,
      status: 'pass',
      expected,
      observed: `Prometheus read ${succeeded} succeeded and ${failed} failed jobs across ${starts.length} start${starts.length === 1 ? '' : 's'} of your program, an average of ${mean.toFixed(3)}s per job, jobs_in_progress up to ${maxDuring} and jobs_queue_depth up to ${depthMax}, both 0 when idle`,
      examples: [],
    };
  },
};
