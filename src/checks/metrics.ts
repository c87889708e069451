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
 * buckets-not-cumulative (in some scrape a bucket counts less than one with a lower le, or
 * le="+Inf" differs from _count); in-progress-never-rose; in-progress-stuck; depth-stale;
 * depth-counts-held; program-exited. counters-restored comes right after counter-decreased: a
 * restarted process whose first scraped count is above 0 and at least the last count of the
 * process before it went on from that count (its first job is the slow one, seconds long, so
 * a process that starts at 0 shows 0 or less than before).
 *
 * The depth, precisely: in the first process's lifetime, from the "slow" phase until the
 * second process starts, no jobs_queue_depth sample above `queuedBehindSlow`
 * (depth-counts-held: nothing more was ready); and from DEPTH_SETTLE_MS after the last job
 * queued behind the slow one (produce with phase "behind-slow") until then, some sample of
 * `queuedBehindSlow` - 1 or more (depth-stale). No sample in that window: unknown (the
 * schedule's fault), or program-exited. After the idle settle time, every sample 0.
 */
import type { History } from '../runner/history.js';
import { learnerEvents } from '../runner/learner-events.js';
import { type PrometheusMetrics, type ScrapedSeries, lastObservation } from '../runner/observations.js';
import { EXITED_CAUSE, blamedOnExit, exitedEarly } from './exited.js';
import { type CheckDefinition, type CheckResult, firstFew, num, select } from './types.js';

/** From this long after "idle" starts, every gauge sample must be 0 (a gauge refreshed on a
 *  timer of up to a second has caught up, and a scrape came after it). */
export const IDLE_SETTLE_MS = 1_200;

/** From this long after the last job queued behind the slow one, until the kill, every
 *  jobs_queue_depth sample of the first process must count the waiting jobs (a depth read on a
 *  timer of up to a second has seen them all; the workload waits for such a scrape). */
export const DEPTH_SETTLE_MS = 1_200;

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
  'wrong-content-type': 'Your /metrics answer has no Content-Type of Prometheus\'s text format: Prometheus 2 guesses, Prometheus 3 refuses the scrape. Send "Content-Type: text/plain; version=0.0.4" (or OpenMetrics\' type, if your library negotiates it).',
} as const;

/** The media types Prometheus parses (the classic text format, OpenMetrics). */
const METRICS_MEDIA_TYPES = ['text/plain', 'application/openmetrics-text'];

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
    if (m.contentType !== undefined && !METRICS_MEDIA_TYPES.includes((m.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '')) {
      return {
        title,
        status: 'fail',
        expected: `${expected}, served as text/plain; version=0.0.4`,
        observed: m.contentType === null ? 'your /metrics answer had no Content-Type header' : `your /metrics answer's Content-Type was "${m.contentType}"`,
        examples: [`GET http://${m.targets[0] ?? '?'}/metrics (the lab's own read, once): Content-Type ${m.contentType === null ? '(none)' : m.contentType}; Prometheus 3 refuses such a scrape`],
        cause: 'wrong-content-type',
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
  'counters-restored': 'Your restarted program\'s counters did not start at 0: they went on from the last process\'s values (kept in a file, or elsewhere). Every process starts its counters at 0; Prometheus sees the drop as a restart and increase() adds both lives up, so restored counts are counted twice.',
  'counted-too-many': 'Your counter counted more jobs than ended: count a job when its work has ended (just before you ack or reject it), not when it arrives; a job in progress when your program dies is delivered again and must be counted once, by the process that finishes it.',
  'counted-too-few': 'Your counter counted fewer jobs than ended: count every job, failed ones too, once its work has ended.',
  'outcome-wrong': 'The total is right but the split by outcome is not: label each count with outcome="succeeded" or outcome="failed", exactly those words, as the job ended.',
  'wrong-unit': 'job_duration_seconds is 100 times off or more: Prometheus\'s base unit for time is the second (observe 0.12, not 120).',
  'duration-off': 'job_duration_seconds\'s average is far from how long the jobs took: time the work of each job (start before it, observe after it) and observe seconds.',
  'buckets-not-cumulative': 'job_duration_seconds\'s buckets are not cumulative: the bucket le="x" counts every observation of x seconds or less (so the counts never decrease as le rises), and le="+Inf" counts all of them, equal to _count.',
  'in-progress-never-rose': 'jobs_in_progress never showed a job in progress although one ran for seconds: increment it when a job starts and decrement it when it ends, on every path.',
  'in-progress-stuck': 'jobs_in_progress stayed above 0 with nothing to do: decrement it whenever a job ends, failed ones too (a finally block).',
  'depth-stale': 'jobs_queue_depth did not follow the queue: read the queue\'s ready messages (a passive declare: amqplib checkQueue, pika queue_declare(passive=True)) at least every second, or at each scrape, not once at start nor only when a job starts.',
  'depth-counts-held': 'jobs_queue_depth counted more than the messages waiting: it is the queue\'s ready messages only (the passive declare\'s message count), not the job your program holds.',
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

/** A restarted process whose counter went on from the last process's count: "t: a -> b". */
function restoredCounts(series: readonly ScrapedSeries[], starts: readonly number[]): string[] {
  const found: string[] = [];
  for (const s of series) {
    for (let life = 1; life < starts.length; life++) {
      const before = s.samples.filter(([t]) => lifetimeOf(starts, t) === life - 1).at(-1);
      const first = s.samples.find(([t]) => lifetimeOf(starts, t) === life);
      if (before && first && first[1] > 0 && first[1] >= before[1]) {
        found.push(`${s.name}${labelText(s.labels)}: ${before[1]} in the last scrape before the restart, ${first[1]} in the restarted program's first scrape (${(first[0] / 1000).toFixed(1)}s), before it had ended a job`);
      }
    }
  }
  return found;
}

/** Scrapes whose histogram buckets are not cumulative, or whose le="+Inf" is not _count. */
function bucketProblems(buckets: readonly ScrapedSeries[], counts: readonly ScrapedSeries[]): string[] {
  const leOf = (le: string | undefined) => (le === '+Inf' ? Infinity : Number(le));
  const scrapes = new Map<number, Array<[number, number]>>();
  for (const b of buckets) {
    for (const [t, v] of b.samples) scrapes.set(t, [...(scrapes.get(t) ?? []), [leOf(b.labels.le), v]]);
  }
  const countAt = new Map<number, number>();
  for (const c of counts) for (const [t, v] of c.samples) countAt.set(t, v);
  const problems: string[] = [];
  for (const [t, pairs] of [...scrapes].sort((a, b) => a[0] - b[0])) {
    const sorted = pairs.sort((a, b) => a[0] - b[0]);
    const at = `${(t / 1000).toFixed(1)}s`;
    const drop = sorted.findIndex(([, v], i) => i > 0 && v < (sorted[i - 1]?.[1] ?? 0));
    if (drop > 0) {
      const [le0, v0] = sorted[drop - 1] ?? [0, 0];
      const [le1, v1] = sorted[drop] ?? [0, 0];
      problems.push(`${at}: le="${le0}" counted ${v0} but le="${le1 === Infinity ? '+Inf' : le1}" only ${v1}`);
      continue;
    }
    const inf = sorted.find(([le]) => le === Infinity)?.[1];
    const count = countAt.get(t);
    if (count !== undefined && inf !== count) problems.push(`${at}: le="+Inf" was ${inf ?? '(missing)'}, _count ${count}`);
  }
  return problems;
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

    // A restarted process starts at 0.
    const restored = restoredCounts(seriesOf(m, 'jobs_processed_total'), starts);
    if (restored.length > 0) {
      return fail('counters-restored', `your restarted program's jobs_processed_total did not start at 0: it went on from the count of the process the lab killed`, restored);
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

    // The histogram's buckets, scrape by scrape.
    const notCumulative = bucketProblems(seriesOf(m, 'job_duration_seconds_bucket'), seriesOf(m, 'job_duration_seconds_count'));
    if (notCumulative.length > 0) {
      return fail('buckets-not-cumulative', `job_duration_seconds's buckets were not cumulative in ${notCumulative.length} scrape${notCumulative.length === 1 ? '' : 's'}`, notCumulative);
    }

    // Gauges: up while the slow job runs, 0 when idle.
    const slow = phaseAt(history, 'slow');
    const idle = phaseAt(history, 'idle');
    const exit = exitedEarly(history);
    if (slow === undefined || idle === undefined) {
      return exit ? fail('program-exited', 'the run stopped before its idle phase', []) : { title, status: 'unknown', expected, observed: 'the run stopped before its idle phase', examples: [] };
    }
    const during = (samples: Array<[number, number]>) => samples.filter(([t]) => t >= slow && t < idle);
    const settled = (samples: Array<[number, number]>) => samples.filter(([t]) => t >= idle + IDLE_SETTLE_MS);
    const inProgress = gaugeSamples(m, 'jobs_in_progress');
    const depth = gaugeSamples(m, 'jobs_queue_depth');
    if (settled(inProgress).length === 0 || settled(depth).length === 0) {
      if (exit) return fail('program-exited', 'Prometheus stored no sample of the gauges in the idle phase', []);
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
    // The depth while the first process holds the slow job and the others wait.
    const firstEnds = starts[1] ?? idle;
    const queuedAt = Math.max(slow, ...select(history, { kind: 'produce', stream: 'jobs' }, 'ok').filter((op) => (op.value as { phase?: unknown }).phase === 'behind-slow').map((op) => op.t));
    const held = depth.filter(([t]) => t >= slow && t < firstEnds);
    const waiting = held.filter(([t]) => t >= queuedAt + DEPTH_SETTLE_MS);
    const depthIdle = settled(depth).filter(([, v]) => v !== 0);
    const depthMax = Math.max(0, ...waiting.map(([, v]) => v));
    const heldSamples = `samples while your first process held the slow job (${(slow / 1000).toFixed(1)}s to ${(firstEnds / 1000).toFixed(1)}s): ${show(held.slice(0, 8))}`;
    if (waiting.length === 0) {
      if (exit) return fail('program-exited', 'Prometheus stored no jobs_queue_depth while jobs waited behind the slow one', [heldSamples]);
      return { title, status: 'unknown', expected, observed: `Prometheus stored no jobs_queue_depth scrape from ${((queuedAt + DEPTH_SETTLE_MS) / 1000).toFixed(1)}s (the jobs behind the slow one queued) until the kill (a slow scrape?)`, examples: [heldSamples] };
    }
    if (depthMax < queuedBehindSlow - 1 || depthIdle.length > 0) {
      return fail(
        'depth-stale',
        depthMax < queuedBehindSlow - 1
          ? `jobs_queue_depth showed at most ${depthMax} while ${queuedBehindSlow} jobs waited in JOBS_QUEUE behind the slow one (from ${((queuedAt + DEPTH_SETTLE_MS) / 1000).toFixed(1)}s until the kill)`
          : `jobs_queue_depth was ${depthIdle[0]?.[1]} when JOBS_QUEUE had been empty for over a second`,
        [heldSamples, `idle samples: ${show(settled(depth))}`],
      );
    }
    const tooMany = held.filter(([, v]) => v > queuedBehindSlow);
    if (tooMany.length > 0) {
      return fail('depth-counts-held', `jobs_queue_depth showed ${tooMany[0]?.[1]} while ${queuedBehindSlow} jobs were ready in JOBS_QUEUE and your program held the slow one`, [heldSamples]);
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
