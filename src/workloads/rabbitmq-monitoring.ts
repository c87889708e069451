/**
 * Week 6, monitoring: a job worker that reports on itself in Prometheus's format.
 *
 * The lab declares JOBS_QUEUE (durable) in the run's vhost and gives the program METRICS_PORT.
 * The program consumes the queue one job at a time (prefetch 1), works on each job for its
 * `durationMs`, acks it (or, for a job with `"fail": true`, rejects it without requeue), and
 * serves GET /metrics on METRICS_PORT with four metrics the README names exactly:
 * jobs_processed_total{outcome} (counter), jobs_in_progress (gauge), job_duration_seconds
 * (histogram) and jobs_queue_depth (gauge: JOBS_QUEUE's ready messages).
 *
 * Prometheus (brokers/prometheus.ts) scrapes that address every second, from the run's target
 * file (blocks/prometheus.ts; Prometheus takes up to about 5 s to start scraping a new file).
 * What counts is what the real Prometheus stored (the lab reads /metrics once itself, for its
 * Content-Type only). The
 * schedule, designed from the mistakes backwards:
 *
 * 1. "steady": `steadyJobs` quick jobs at once (every `failEvery`-th fails), as soon as the
 *    program consumes; the lab waits until the queue is empty and then for a scrape that
 *    started after that (so the counts are in Prometheus). No such scrape within
 *    `scrapedWithinMs`, or none of the four metrics in it: the run ends there
 *    (metrics-exposed says what is missing).
 * 2. "slow": one job of `slowMs`; once the program took it, `queuedBehindSlow` quick jobs
 *    wait behind it, and the lab waits for a scrape DEPTH_SETTLE_MS after the last one
 *    queued (at most until `killAfterMs` into the slow job): jobs_queue_depth must show them
 *    there (not 0 from a read made when the slow job started, not 7 counting the held one),
 *    and jobs_in_progress 1.
 * 3. "kill", right after that scrape (the scenario's kill-learner fault, with a restart): the
 *    slow job is unfinished, nothing finished for seconds before, so a correct program's
 *    counts were all scraped, and it must not count the slow job yet. A program that counts a
 *    job when it receives it counts the slow job twice (before the kill and again after its
 *    redelivery). The restarted program starts its counters at 0, which is Prometheus's
 *    normal reset (its first scrape shows 0: its first job is the 3.5 s slow one); a counter
 *    that goes down while its process lives (reset on each scrape, or every few seconds), or
 *    that a new process restores from a file, is not.
 * 4. The restarted program works through the slow job and those behind it (every
 *    `failEveryBehindSlow`-th fails: a gauge that leaks on the failure path shows).
 * 5. "idle", once the queue is empty and every job the restarted program took can have
 *    ended (the slow one and those behind it, one after another): nothing to do until a scrape that started IDLE_SETTLE_MS
 *    into it (at most `idleMs`): jobs_in_progress and jobs_queue_depth must be back at 0
 *    then. The lab reads every sample of the run and the metrics' types from Prometheus
 *    (before the program stops: Prometheus forgets a target's types with it).
 *
 * Besides Prometheus's scrapes, the lab GETs /metrics once itself (after the first scrape),
 * for its Content-Type only: Prometheus 3 refuses a scrape without a text or OpenMetrics type.
 *
 * checks/metrics.ts compares those samples with the lab's own counts.
 */
import { type PrometheusMetrics, recordObservation } from '../runner/observations.js';
import { DEPTH_SETTLE_MS, IDLE_SETTLE_MS } from '../checks/metrics.js';
import { openPrometheus } from './blocks/prometheus.js';
import { producer } from './blocks/produce.js';
import { awaitConsumers, openRabbit } from './blocks/rabbitmq.js';
import { type Workload, type WorkloadContext, intOptions, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/rabbitmq-monitoring.js';

export type MonitoringOptions = { [K in keyof typeof defaults]: number };

/** A job as the lab puts it on JOBS_QUEUE. */
export interface Job {
  jobId: string;
  /** How long the work takes: the program sleeps this long (its "work"). */
  durationMs: number;
  /** The job fails by design: the program rejects it and counts it as failed. */
  fail: boolean;
}

/** The series the lab reads back: the exercise's metrics and Prometheus's own `up`. */
const METRICS_REGEX = 'jobs_processed_total|jobs_in_progress|jobs_queue_depth|job_duration_seconds_(sum|count|bucket)|up';

/** What Prometheus 2.x asks a target for: the lab's own GET of /metrics asks the same, so a
 *  library that negotiates (prometheus_client) answers as it answers Prometheus. */
const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export const rabbitmqMonitoring: Workload<MonitoringOptions> = {
  name: 'rabbitmq-monitoring',
  parseOptions(raw) {
    const o = intOptions(raw, defaults);
    if (o.quickMinMs > o.quickMaxMs) throw new Error('"quickMinMs" must not be more than "quickMaxMs"');
    if (o.killAfterMs >= o.slowMs) throw new Error('"killAfterMs" must be less than "slowMs": the kill must come while the slow job is unfinished');
    return o;
  },

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const prometheus = await openPrometheus(ctx, { copies: ctx.instances });
    // A name of this run, not the starter's default "jobs": a program that ignores JOBS_QUEUE
    // somewhere (its depth probe) reads a queue that does not exist.
    const queue = rabbit.name(`jobs-${ctx.random('monitoring:queue').int(1000, 9999)}`);
    const channel = await rabbit.connection.createChannel();
    ctx.defer(() => channel.close().catch(() => {}));
    await channel.assertQueue(queue, { durable: true });

    const jobs = producer(ctx, { stream: 'jobs', inlets: { jobs: (m) => rabbit.publish('', queue, m.body, { messageId: m.key, contentType: 'application/json', persistent: true }) } });
    const random = ctx.random('monitoring:durations');
    let n = 0;
    const send = (durationMs: number, fail: boolean, phase: string) => {
      const job: Job = { jobId: messageId('job', ++n), durationMs, fail };
      return jobs.send(job.jobId, job, { record: { phase } });
    };
    const quick = () => random.int(o.quickMinMs, o.quickMaxMs);
    const ready = async () => (await rabbit.probeQueue(queue))?.messageCount ?? -1;
    let scraped = false;
    // The Content-Type of the lab's own GET of /metrics (null: none); undefined: not read.
    let contentType: string | null | undefined;
    // What Prometheus stored, read at the end of the run while the program still runs: the
    // metrics' types go with the target once it is down.
    let readBack: PrometheusMetrics | undefined;
    const readMetrics = async (): Promise<PrometheusMetrics> => {
      const [series, metadata] = await Promise.all([prometheus.series(METRICS_REGEX), prometheus.metadata().catch(() => [])]);
      const types: Record<string, string> = {};
      for (const m of metadata) types[m.metric] = m.type;
      return { targets: prometheus.ports.map((p) => `127.0.0.1:${p}`), scraped, types, series, ...(contentType === undefined ? {} : { contentType }) };
    };

    return {
      env: { AMQP_URL: rabbit.url, JOBS_QUEUE: queue, METRICS_PORT: String(prometheus.ports[0]) },
      async awaitReady() {
        await awaitConsumers(ctx, rabbit, {
          name: 'JOBS_QUEUE',
          physical: queue,
          count: ctx.startingInstances,
          hint: 'Connect to AMQP_URL exactly as given (it names the run\'s own virtual host), set a prefetch of 1, consume JOBS_QUEUE with manual acks, and keep running.',
        });
      },
      async run() {
        const emptied = (timeoutMs: number) => waitUntil(async () => (await ready()) === 0, timeoutMs, ctx.signal, 50);

        await ctx.phase('steady');
        ctx.progress(`sending ${o.steadyJobs} quick jobs`);
        await Promise.all(Array.from({ length: o.steadyJobs }, (_, i) => send(quick(), (i + 1) % o.failEvery === 0, 'steady')));
        await emptied(o.steadyJobs * o.quickMaxMs * 3 + ctx.timeouts.drainMs);
        const lastTaken = ctx.history.now();
        ctx.progress(`waiting for Prometheus to scrape your /metrics on port ${prometheus.ports[0]}`);
        // The last job ends within quickMaxMs of being taken; a scrape after that has every count.
        scraped = await prometheus.awaitScraped(lastTaken + o.quickMaxMs, o.scrapedWithinMs);
        if (!scraped) {
          // The checks' verdict (metrics-exposed says what to fix), not "not ready".
          ctx.progress(`Prometheus could not read http://127.0.0.1:${prometheus.ports[0]}/metrics within ${o.scrapedWithinMs / 1000}s: no more jobs`);
          return;
        }
        // One GET of the lab's own, for the Content-Type only: Prometheus 2 falls back to the text
        // format without one, Prometheus 3 refuses the scrape.
        contentType = await fetch(`http://127.0.0.1:${prometheus.ports[0]}/metrics`, { headers: { Accept: PROMETHEUS_ACCEPT }, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(3_000)]) })
          .then(async (response) => {
            await response.arrayBuffer();
            return response.headers.get('content-type');
          })
          .catch(() => undefined);
        // A /metrics without any of the exercise's metrics (the starter's) has nothing more to show.
        if ((await prometheus.series(METRICS_REGEX)).every((series) => series.name === 'up')) {
          ctx.progress('none of the four metrics is on your /metrics yet: no more jobs');
          readBack = await readMetrics();
          return;
        }

        await ctx.phase('slow');
        ctx.progress(`sending a ${o.slowMs / 1000}s job and ${o.queuedBehindSlow} behind it`);
        await send(o.slowMs, false, 'slow');
        await emptied(ctx.timeouts.drainMs);
        const takenAt = Date.now();
        for (let i = 0; i < o.queuedBehindSlow; i++) await send(quick(), (i + 1) % o.failEveryBehindSlow === 0, 'behind-slow');
        // The kill waits for a scrape DEPTH_SETTLE_MS after the last job queued (a depth read
        // every second has seen all of them then; metrics-agree reads that scrape), at most
        // until killAfterMs into the slow job.
        await prometheus.awaitScraped(ctx.history.now() + DEPTH_SETTLE_MS + 50, Math.max(0, o.killAfterMs - (Date.now() - takenAt)));

        ctx.progress('killing your program in the middle of the slow job; it is restarted');
        await ctx.phase('kill');
        await ctx.faultsSettled();
        const restartedAt = ctx.history.now();
        await emptied(o.slowMs + o.queuedBehindSlow * o.quickMaxMs * 3 + ctx.timeouts.drainMs);
        // Idle only once every job can have ended: the last one taken (quickMaxMs), and every
        // job the restarted program took, one after another (an empty queue is not enough: a
        // program with a larger prefetch took them all at once and still holds them). The
        // management API's unacknowledged count would say so, but lags by seconds.
        await sleep(Math.max(o.quickMaxMs + 300, restartedAt + o.slowMs + (o.queuedBehindSlow + 1) * o.quickMaxMs + 300 - ctx.history.now()), ctx.signal);

        const idle = ctx.history.now();
        await ctx.phase('idle');
        ctx.progress('idle: jobs_in_progress and jobs_queue_depth must come back to 0');
        await prometheus.awaitScraped(idle + IDLE_SETTLE_MS + 50, o.idleMs); // (the phase is recorded a moment after `idle`)
        readBack = await readMetrics();
      },
      async collect() {
        // A run that ended before its idle phase (not scraped, aborted) records what Prometheus has.
        recordObservation(ctx.history, 'prometheus-metrics', readBack ?? (await readMetrics()));
      },
    };
  },
};
