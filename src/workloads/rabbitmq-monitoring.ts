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
 * The lab never reads /metrics itself: what counts is what the real Prometheus stored. The
 * schedule, designed from the mistakes backwards:
 *
 * 1. "steady": `steadyJobs` quick jobs at once (every `failEvery`-th fails), as soon as the
 *    program consumes; the lab waits until the queue is empty and then for a scrape that
 *    started after that (so the counts are in Prometheus). No such scrape within
 *    `scrapedWithinMs`, or none of the four metrics in it: the run ends there
 *    (metrics-exposed says what is missing).
 * 2. "slow": one job of `slowMs`; once the program took it, `queuedBehindSlow` quick jobs
 *    wait behind it (the queue's depth, and jobs_in_progress 1, are scraped meanwhile).
 * 3. "kill", `killAfterMs` after the slow job was taken (the scenario's kill-learner fault,
 *    with a restart): the slow job is unfinished, nothing finished for seconds before, so a
 *    correct program's counts were all scraped, and it must not count the slow job yet. A
 *    program that counts a job when it receives it counts the slow job twice (before the
 *    kill and again after its redelivery). The restarted program starts its counters at 0,
 *    which is Prometheus's normal reset; a counter that goes down while its process lives
 *    (reset on each scrape, or every few seconds) is not.
 * 4. The restarted program works through the slow job and those behind it (every
 *    `failEveryBehindSlow`-th fails: a gauge that leaks on the failure path shows).
 * 5. "idle": nothing to do until a scrape that started IDLE_SETTLE_MS into it (at most
 *    `idleMs`): jobs_in_progress and jobs_queue_depth must be back at 0 then. The lab reads
 *    every sample of the run and the metrics' types from Prometheus (before the program
 *    stops: Prometheus forgets a target's types with it).
 *
 * checks/metrics.ts compares those samples with the lab's own counts.
 */
import { type PrometheusMetrics, recordObservation } from '../runner/observations.js';
import { IDLE_SETTLE_MS } from '../checks/metrics.js';
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
const METRICS_REGEX = 'jobs_processed_total|jobs_in_progress|jobs_queue_depth|job_duration_seconds_(sum|count)|up';

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
    const queue = rabbit.name('jobs');
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
    // What Prometheus stored, read at the end of the run while the program still runs: the
    // metrics' types go with the target once it is down.
    let readBack: PrometheusMetrics | undefined;
    const readMetrics = async (): Promise<PrometheusMetrics> => {
      const [series, metadata] = await Promise.all([prometheus.series(METRICS_REGEX), prometheus.metadata().catch(() => [])]);
      const types: Record<string, string> = {};
      for (const m of metadata) types[m.metric] = m.type;
      return { targets: prometheus.ports.map((p) => `127.0.0.1:${p}`), scraped, types, series };
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
        await sleep(o.killAfterMs - (Date.now() - takenAt), ctx.signal);

        ctx.progress('killing your program in the middle of the slow job; it is restarted');
        await ctx.phase('kill');
        await ctx.faultsSettled();
        await emptied(o.slowMs + o.queuedBehindSlow * o.quickMaxMs * 3 + ctx.timeouts.drainMs);
        await sleep(o.quickMaxMs + 300, ctx.signal);

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
