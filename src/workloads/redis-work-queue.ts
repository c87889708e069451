/**
 * Week 1, Redis: point-to-point (a work queue) next to publish/subscribe (fan-out).
 *
 * Three copies of the learner's program each do two things:
 * - fan-out: subscribe to EVENTS_CHANNEL and report every event to the lab's audit API
 *   (every copy sees every event);
 * - work queue: take jobs from the list JOBS_QUEUE reliably (BLMOVE into the copy's own
 *   processing list PROCESSING_PREFIX<n>, call the lab's jobs API, then LREM), keep a
 *   heartbeat key HEARTBEAT_PREFIX<n> alive, and reap the processing list of a copy whose
 *   heartbeat is gone (move its jobs back to JOBS_QUEUE). Each job is done by one copy, once.
 *
 * The schedule opens each mistake's window every run:
 * - jobs go in with one LPUSH per burst, so every copy finds the same jobs waiting at once:
 *   copies that read a job (LINDEX, LRANGE) before removing it all read the same one;
 * - the first `slowJobs` bursts each hold one slow job (the jobs API takes `slowJobMs`, longer
 *   than the heartbeat TTL plus a reaper round, the first time it runs alone): a heartbeat
 *   refreshed between jobs expires while its copy is busy, and a reaper that ignores
 *   heartbeats certainly finds a live copy's job in its list;
 * - the scenario's kill-learner fault kills one copy while it calls the jobs API (mid-job),
 *   once it has done a few jobs (probe "holder-did-work"), and does not restart it: its job
 *   must come back through a reaper, and only it (a job that stayed in the list after it was
 *   done comes back too, and is done twice). The heartbeat key of a dead copy must expire:
 *   the drain's quiet period outlasts HEARTBEAT_TTL_MS, so the final snapshot shows one that
 *   did not.
 * The lab snapshots the lists (queue, each copy's processing list, heartbeat keys) every
 * `sampleMs` in one MULTI, and once more after the program stopped (checks/work-lists.ts).
 *
 * Events go out only once every copy subscribed (Pub/Sub keeps nothing for absent
 * subscribers); if they never all do within readyMs, the lab publishes anyway and the
 * fan-out check grades what reached whom.
 */
import { whichCopyProblem } from '../runner/downstream.js';
import type { Operation } from '../runner/history.js';
import { type WorkListsSnapshot, recordObservation } from '../runner/observations.js';
import { keysMatching } from '../namespaces/redis.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { openRedis } from './blocks/redis.js';
import { type Workload, type WorkloadContext, every, intOption, intOptions, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/redis-work-queue.js';
import { callValue } from '../runner/calls.js';

export interface WorkQueueOptions {
  jobs: number;
  events: number;
  /** Jobs and events go out in this many bursts (one LPUSH of a burst's jobs, then its events). */
  bursts: number;
  burstGapMs: number;
  /** The jobs API's time per job, plus up to `jobJitterMs` more from the run's seed. */
  jobLatencyMs: number;
  jobJitterMs: number;
  /** One slow job in each of the first `slowJobs` bursts, taking `slowJobMs`. */
  slowJobs: number;
  slowJobMs: number;
  /** The heartbeat key's TTL the program is told to use (HEARTBEAT_TTL_MS). */
  heartbeatTtlMs: number;
  /** How often the lab snapshots the lists. */
  sampleMs: number;
  /** The drain ends once nothing moved for this long: longer than a heartbeat TTL plus a
   *  reaper round plus a slow job, so recovering a killed copy's job is never mistaken for
   *  the end. */
  quietMs: number;
}

interface Job {
  jobId: string;
  kind: string;
  input: string;
}

export const redisWorkQueue: Workload<WorkQueueOptions> = {
  name: 'redis-work-queue',
  parseOptions: (raw) => ({
    ...intOptions(raw, defaults),
    bursts: Math.max(1, intOption(raw, 'bursts', defaults.bursts)),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const redis = await openRedis(ctx);
    const names = {
      jobs: redis.name('jobs'),
      processingPrefix: redis.name('processing:'),
      heartbeatPrefix: redis.name('heartbeat:'),
      events: redis.name('events'),
    };
    const copies = Array.from({ length: ctx.instances }, (_, i) => i + 1);
    // Jobs go in in bursts (one LPUSH each, remembered here); `duplicate` and `poison` faults
    // push more the same way, one at a time.
    const jobs = producer(ctx, { stream: 'jobs', inlets: { jobs: async (m) => void (await redis.client.lpush(names.jobs, m.body)) } });
    // Events are published (Pub/Sub), each to whoever listens at that moment.
    const events = producer(ctx, { stream: 'events', inlets: { events: async (m) => ({ recorded: { receivers: await redis.client.publish(names.events, m.body) } }) } });

    // The README's contract with both APIs, enforced as a real API would (a 400): which copy
    // calls is what the checks are about, so a call must say it.
    const saysWhichCopy = (headers: import('node:http').IncomingHttpHeaders) => whichCopyProblem(headers, ctx.instances);
    const jobsApi = await ctx.downstream({ name: 'jobs-api', keyField: 'jobId', latencyMs: o.jobLatencyMs, jitterMs: o.jobJitterMs, okBody: { done: '{key}' }, reject: ({ headers }) => saysWhichCopy(headers) });
    const auditApi = await ctx.downstream({
      name: 'audit-api',
      keyField: 'eventId',
      latencyMs: 5,
      jitterMs: 10,
      okBody: { seen: '{key}' },
      reject: ({ body, headers }) =>
        saysWhichCopy(headers) ??
        (typeof body.instance === 'number' && String(body.instance) === String(headers['x-instance-id']) ? undefined : `"instance" is ${JSON.stringify(body.instance ?? null)}: it must be your INSTANCE_ID as a number, the same as the x-instance-id header`),
    });

    // Calls in flight: a job done twice is recorded only when its second call is answered,
    // so the drain waits for every call that arrived. (A call the kill fault cut short never
    // gets here: its hook comes first and the call is recorded at once.)
    // A slow job is slow once: for the first call that runs while no other call for it is in
    // flight and none has succeeded. A second copy that (wrongly) takes it meanwhile is
    // answered at the usual pace, so the duplicate shows at once instead of the job bouncing
    // between copies; if the kill cuts the first call short, the recovered one is the slow one.
    const slow = new Set<string>();
    const inFlight = new Set<string>();
    const slowDone = new Set<string>();
    jobsApi.service.onCall(async (call) => {
      const alone = ![...inFlight].some((k) => k.startsWith(`${call.key}#`));
      inFlight.add(`${call.key}#${call.attempt}`);
      if (slow.has(call.key) && alone && !slowDone.has(call.key)) await sleep(o.slowJobMs, ctx.signal);
      return 'continue';
    });
    const unsubscribe = ctx.history.subscribe((op: Operation) => {
      if (op.kind !== 'call' || op.stream !== 'jobs-api' || op.key === undefined) return;
      inFlight.delete(`${op.key}#${op.attempt}`);
      if (op.outcome === 'ok') slowDone.add(op.key);
    });
    ctx.defer(unsubscribe);

    const jobIds: string[] = [];
    const eventIds: string[] = [];
    const okKeys = (stream: string) => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.stream === stream && op.outcome === 'ok').map((op) => op.key));
    const reportsBy = () => {
      const by = new Map<string, Set<number>>();
      for (const op of ctx.history.history) {
        if (op.kind !== 'call' || op.stream !== 'audit-api' || op.outcome !== 'ok' || op.key === undefined) continue;
        const set = by.get(op.key) ?? new Set<number>();
        set.add(callValue(op).instance ?? 1);
        by.set(op.key, set);
      }
      return by;
    };
    // Copies a fault has struck (restarted or not): their reports are not waited for.
    const killed = new Set<number>();
    ctx.onFault((op) => {
      if (op.value.phase === 'start' && op.value.instance !== undefined) killed.add(op.value.instance);
    });

    const idOf = (item: string): string => {
      try {
        const id = (JSON.parse(item) as { jobId?: unknown }).jobId;
        if (typeof id === 'string') return id;
      } catch {
        // not JSON: the item itself (a program that pushed bare ids)
      }
      return item.length > 60 ? `${item.slice(0, 60)}...` : item;
    };

    let last: WorkListsSnapshot | undefined;
    let lastPrint = '';
    let snapshotCount = 0;
    const snapshot = async (final = false): Promise<WorkListsSnapshot | undefined> => {
      const takenAt = ctx.history.now();
      const multi = redis.client.multi().lrange(names.jobs, 0, -1);
      for (const c of copies) multi.lrange(`${names.processingPrefix}${c}`, 0, -1);
      for (const c of copies) multi.exists(`${names.heartbeatPrefix}${c}`);
      const replies = await multi.exec();
      if (!replies) return undefined;
      const value = (i: number) => replies[i]?.[1];
      const asList = (v: unknown) => (Array.isArray(v) ? (v as string[]).map(idOf) : []);
      const snap: WorkListsSnapshot = {
        takenAt,
        queue: asList(value(0)),
        processing: Object.fromEntries(copies.map((c, i) => [String(c), asList(value(1 + i))])),
        heartbeats: copies.filter((_, i) => Number(value(1 + copies.length + i)) > 0),
      };
      // Lists of other names under the prefix (a program that named its lists its own way):
      // looked for every fifth snapshot and at the end, with a SCAN that does not belong in
      // the MULTI. A slow job sits in such a list for seconds, so it is found.
      if (final || ++snapshotCount % 5 === 0) {
        const own = new Set(copies.map((c) => `${names.processingPrefix}${c}`));
        const others = (await keysMatching(redis.client, `${names.processingPrefix}*`)).filter((k) => !own.has(k)).map((k) => k.slice(names.processingPrefix.length));
        if (final || others.length > 0) snap.otherLists = others;
      }
      if (final) snap.final = true;
      last = snap;
      // Recorded when something changed (and always at the end): the history stays small,
      // and a snapshot like the previous one adds no evidence.
      const print = JSON.stringify([snap.queue, snap.processing, snap.heartbeats, snap.otherLists ?? []]);
      if (final || print !== lastPrint) {
        lastPrint = print;
        recordObservation(ctx.history, 'work-lists', snap);
      }
      return snap;
    };

    // Where the kill fault's victim should be: a job held by a copy that has already done
    // some, so that a processing list the program never empties (an LREM that removes
    // nothing) holds done jobs when it dies. A job in no processing list (a program without
    // them) is a victim as good as any.
    ctx.registerProbe('holder-did-work', async (key) => {
      const lists = await Promise.all(copies.map((c) => redis.client.lrange(`${names.processingPrefix}${c}`, 0, -1)));
      const holder = copies.find((_, i) => (lists[i] ?? []).map(idOf).includes(key));
      if (holder === undefined) return true;
      const doneBy = ctx.history.history.filter((op) => op.kind === 'call' && op.stream === 'jobs-api' && op.outcome === 'ok' && callValue(op).instance === holder);
      return doneBy.length >= 2;
    });

    const subscribers = () => redis.subscribers(names.events);

    return {
      env: {
        REDIS_URL: redis.url,
        JOBS_QUEUE: names.jobs,
        PROCESSING_PREFIX: names.processingPrefix,
        HEARTBEAT_PREFIX: names.heartbeatPrefix,
        HEARTBEAT_TTL_MS: String(o.heartbeatTtlMs),
        EVENTS_CHANNEL: names.events,
        JOBS_API_URL: jobsApi.url,
        AUDIT_API_URL: auditApi.url,
      },
      async awaitReady() {
        // Soft: a program whose copies never all subscribe is still graded (fan-out).
        await waitUntil(async () => (await subscribers()) >= ctx.instances, ctx.timeouts.readyMs, ctx.signal, 100);
      },
      async run() {
        const stopSampling = every(o.sampleMs, ctx.signal, async () => void (await snapshot()));
        try {
          ctx.progress(`pushing ${o.jobs} jobs and publishing ${o.events} events; one copy will be killed mid-job`);
          let jobNo = 0;
          let eventNo = 0;
          for (let b = 0; b < o.bursts && !ctx.signal.aborted; b++) {
            const jobCount = Math.floor(((b + 1) * o.jobs) / o.bursts) - Math.floor((b * o.jobs) / o.bursts);
            const eventCount = Math.floor(((b + 1) * o.events) / o.bursts) - Math.floor((b * o.events) / o.bursts);
            const burst: Array<{ job: Job; tags: string[] }> = [];
            for (let n = 0; n < jobCount; n++) {
              const i = ++jobNo;
              const isSlow = b < o.slowJobs && n === 1;
              const jobId = messageId('job', i);
              if (isSlow) slow.add(jobId);
              burst.push({ job: { jobId, kind: isSlow ? 'transcode-video' : ['resize-image', 'render-invoice', 'send-receipt'][i % 3] ?? 'resize-image', input: `files/${jobId}` }, tags: isSlow ? ['slow'] : [] });
            }
            if (burst.length > 0) {
              // One LPUSH: the whole burst is there at once, oldest at the right end.
              const pushed = await jobs.sendBurst(
                burst.map(({ job, tags }) => ({ key: job.jobId, body: job, options: { tags, record: { burst: b + 1 } } })),
                async (messages) => void (await redis.client.lpush(names.jobs, ...messages.map((m) => m.body))),
              );
              if (!pushed) throw new Error(`the lab could not push burst ${b + 1} of jobs to Redis (its error is in the history)`);
              jobIds.push(...burst.map(({ job }) => job.jobId));
            }
            for (let n = 0; n < eventCount; n++) {
              const i = ++eventNo;
              const event = { eventId: messageId('event', i), type: ['user.signed-up', 'order.placed', 'invoice.paid'][i % 3] ?? 'user.signed-up', user: `user-${(i * 7) % 19}` };
              if (!(await events.send(event.eventId, event))) throw new Error(`the lab could not publish ${event.eventId} on Redis (its error is in the history)`);
              eventIds.push(event.eventId);
            }
            await sleep(o.burstGapMs, ctx.signal);
          }

          // Settled when every job is done, the events are settled (below), and nothing is in
          // flight or left in any list; or, once every job is done, as soon as one was done
          // twice (a job bouncing between copies would keep a list busy for ever, and the
          // verdict is in). Otherwise the drain ends when nothing moved for quietMs: a lost
          // job never will be done, a stranded one never moves.
          const duplicated = () => {
            const seen = new Set<string>();
            return ctx.history.history.some((op) => op.kind === 'call' && op.stream === 'jobs-api' && op.outcome === 'ok' && op.key !== undefined && (seen.has(op.key) || !seen.add(op.key)));
          };
          // Events are settled when every live copy reported every one, or when no report
          // came for a second after the last one was published: a copy that has not reported an
          // event by then never will (a report takes milliseconds).
          const lastPublished = ctx.history.now();
          const settled = () => {
            const done = okKeys('jobs-api');
            if (!jobIds.every((id) => done.has(id))) return false;
            const reports = reportsBy();
            const allReported = eventIds.every((id) => copies.every((c) => killed.has(c) || reports.get(id)?.has(c)));
            const lastReport = Math.max(lastPublished, ...ctx.history.history.filter((op) => op.kind === 'call' && op.stream === 'audit-api').map((op) => op.t));
            if (!allReported && ctx.history.now() - lastReport < 1_000) return false;
            if (duplicated()) return true;
            return inFlight.size === 0 && last !== undefined && last.queue.length === 0 && Object.values(last.processing).every((l) => l.length === 0);
          };
          const progress = () => `${okKeys('jobs-api').size}|${okKeys('audit-api').size}|${inFlight.size}|${lastPrint}`;
          await drain(ctx, { done: settled, progress, quietMs: o.quietMs, intervalMs: 50 });
          if (!duplicated()) {
            // A short tail: a job requeued at the last moment would be taken and done again
            // now; a second call already under way is recorded once it is answered.
            await sleep(200, ctx.signal);
            await waitUntil(() => inFlight.size === 0 || duplicated(), o.slowJobMs + 1_000, ctx.signal, 50);
          }
        } finally {
          await stopSampling();
        }
      },
      async collect() {
        await snapshot(true);
      },
    };
  },
};
