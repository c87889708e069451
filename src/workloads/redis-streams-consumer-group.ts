/**
 * Week 7, Redis Streams: one consumer group shared by three copies (user-activity tracking).
 *
 * The lab XADDs activity events to ACTIVITY_STREAM; the three copies of the learner's program
 * are consumers CONSUMER_PREFIX<n> of the group GROUP_NAME (the lab creates it before they
 * start), each reads with XREADGROUP ... STREAMS ACTIVITY_STREAM >, records every activity
 * with the lab's activity store (keyed by activityId) and XACKs it once the store answered.
 * A consumer that dies leaves its entries in the group's pending entries list (PEL): the
 * survivors must reclaim them with XAUTOCLAIM once they have been idle MIN_IDLE_MS.
 *
 * The schedule opens each mistake's window every run:
 * - the activities come in bursts faster than the copies record them, so every copy always
 *   holds entries it has read and not yet acked while the flow lasts: a reclaim with a
 *   min-idle of 0 (or far below MIN_IDLE_MS) certainly takes a live copy's entries, and both
 *   record them;
 * - the scenario's kill-learner fault kills one copy while it calls the store (mid-entry) and
 *   does not restart it: its entry is pending (unless it was acked before the work), and only
 *   a survivor's XAUTOCLAIM gets it recorded;
 * - once every activity was recorded the lab waits (up to `tailMs`) for the PEL to empty, then
 *   the program stops and the lab reads the group once more (observation "stream-group"):
 *   entries never acked, or a dead consumer's never reclaimed, are still there.
 */
import type { Redis } from 'ioredis';
import { whichCopyProblem } from '../runner/downstream.js';
import { recordObservation } from '../runner/observations.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { openRedis } from './blocks/redis.js';
import { type Workload, type WorkloadContext, intOption, intOptions, jsonObject, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/redis-streams-consumer-group.js';

export interface StreamsOptions {
  activities: number;
  /** The activities go out in this many bursts, `burstGapMs` apart (one pipeline of XADDs each). */
  bursts: number;
  burstGapMs: number;
  /** The activity store's time per call, plus up to `storeJitterMs` more from the run's seed. */
  storeLatencyMs: number;
  storeJitterMs: number;
  /** How long an entry must have been idle before a survivor may reclaim it (MIN_IDLE_MS). */
  minIdleMs: number;
  /** How often the drain looks at the group's PEL. */
  sampleMs: number;
  /** Once every activity was recorded, how long the lab waits for the PEL to empty. */
  tailMs: number;
  /** The drain ends once nothing moved for this long: longer than MIN_IDLE_MS plus a reclaim
   *  round, so a reclaim still to come is never mistaken for the end. */
  quietMs: number;
}

/** The group the README names; a group is no key, so it needs no namespace (the stream has one). */
const GROUP_NAME = 'activity-trackers';
const CONSUMER_PREFIX = 'consumer-';
const ACTIONS = ['page-view', 'search', 'add-to-cart', 'login', 'checkout'];

/** An XADD's field list from a message body: the JSON object's fields as strings, or the
 *  bytes under "data" when it is not one (a poison fault's payload). */
function fieldsOf(body: Buffer): string[] {
  const fields = jsonObject(body.toString());
  if (!fields) return ['data', body.toString()];
  return Object.entries(fields).flatMap(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
}

async function pendingCount(client: Redis, stream: string): Promise<number> {
  try {
    const summary = (await client.xpending(stream, GROUP_NAME)) as [number, ...unknown[]];
    return Number(summary[0]);
  } catch {
    return 0; // no such group (the program removed it): nothing pending in it
  }
}

/** How many connections of the server are blocked in XREADGROUP now (CLIENT LIST). */
async function blockedReaders(client: Redis): Promise<number> {
  const list = String(await client.client('LIST'));
  return list.split('\n').filter((line) => /\bcmd=xreadgroup\b/.test(line) && /\bflags=\S*b/.test(line)).length;
}

export const redisStreamsConsumerGroup: Workload<StreamsOptions> = {
  name: 'redis-streams-consumer-group',
  parseOptions: (raw) => ({
    ...intOptions(raw, defaults),
    bursts: Math.max(1, intOption(raw, 'bursts', defaults.bursts)),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const redis = await openRedis(ctx);
    const stream = redis.name('activity');
    // The group exists before any copy starts, reading from the stream's start: a copy that
    // creates it again gets BUSYGROUP, which the README says to ignore.
    await redis.client.xgroup('CREATE', stream, GROUP_NAME, '0', 'MKSTREAM');
    const copies = Array.from({ length: ctx.instances }, (_, i) => i + 1);

    /** Entry id -> activityId, for the end-of-run snapshot of the PEL. */
    const idOfEntry = new Map<string, string>();
    const activities = producer(ctx, {
      stream: 'activities',
      inlets: {
        activities: async (m) => {
          const id = await redis.client.xadd(stream, '*', ...fieldsOf(m.body));
          if (id) idOfEntry.set(id, m.key);
          return id ? { offset: id } : undefined;
        },
      },
    });
    const store = await ctx.downstream({
      name: 'activity-store',
      keyField: 'activityId',
      latencyMs: o.storeLatencyMs,
      jitterMs: o.storeJitterMs,
      okBody: { recorded: '{key}' },
      reject: ({ headers }) => whichCopyProblem(headers, ctx.instances),
    });

    const readersBefore = await blockedReaders(redis.client);
    const killed = new Set<number>();
    ctx.onFault((op) => {
      if (op.value.phase === 'start' && op.value.instance !== undefined) killed.add(op.value.instance);
    });
    const sent: string[] = [];
    const recorded = () => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.stream === 'activity-store' && op.outcome === 'ok').map((op) => op.key));

    return {
      env: {
        REDIS_URL: redis.url,
        ACTIVITY_STREAM: stream,
        GROUP_NAME,
        CONSUMER_PREFIX,
        MIN_IDLE_MS: String(o.minIdleMs),
        ACTIVITY_STORE_URL: store.url,
      },
      async awaitReady() {
        // A consumer shows in XINFO CONSUMERS once it has been handed an entry (Redis 7.0 does
        // not create one for a read that finds nothing), so before any entry exists the lab
        // counts the connections blocked in XREADGROUP instead, over the baseline from before
        // the program started. That count is the server's: another run's readers can make the
        // flow start a moment early, which changes nothing but who takes the first entries.
        // Soft: a program that never reads is still graded (the checks say what it did).
        await waitUntil(
          async () => (await blockedReaders(redis.client)) - readersBefore >= ctx.startingInstances,
          ctx.timeouts.readyMs,
          ctx.signal,
          100,
        );
      },
      async run() {
        ctx.progress(`adding ${o.activities} activities to the stream; one copy will be killed mid-call and not restarted`);
        const random = ctx.random('activities');
        let n = 0;
        for (let b = 0; b < o.bursts && !ctx.signal.aborted; b++) {
          const count = Math.floor(((b + 1) * o.activities) / o.bursts) - Math.floor((b * o.activities) / o.bursts);
          const burst = Array.from({ length: count }, () => {
            const i = ++n;
            const activity = { activityId: messageId('activity', i), userId: `user-${Math.floor(random.next() * 40) + 1}`, action: ACTIONS[i % ACTIONS.length] ?? 'page-view', at: new Date().toISOString() };
            return { key: activity.activityId, body: activity, options: { record: { burst: b + 1 } } };
          });
          const added = await activities.sendBurst(burst, async (messages) => {
            const pipeline = redis.client.pipeline();
            for (const m of messages) pipeline.xadd(stream, '*', ...fieldsOf(m.body));
            const replies = (await pipeline.exec()) ?? [];
            replies.forEach(([error, id], i) => {
              if (error) throw error;
              const key = messages[i]?.key;
              if (typeof id === 'string' && key) idOfEntry.set(id, key);
            });
          });
          if (!added) throw new Error(`the lab could not add burst ${b + 1} to the stream (its error is in the history)`);
          sent.push(...burst.map((a) => a.key));
          await sleep(o.burstGapMs, ctx.signal);
        }

        // Done once every activity was recorded and nothing is pending in the group; a lost
        // activity never will be, a stranded entry never moves: then the drain ends quiet.
        let pel = await pendingCount(redis.client, stream);
        const allRecorded = () => {
          const done = recorded();
          return sent.every((k) => done.has(k));
        };
        await drain(ctx, {
          done: async () => {
            if (!allRecorded()) return false;
            pel = await pendingCount(redis.client, stream);
            return pel === 0;
          },
          progress: async () => `${recorded().size}|${await pendingCount(redis.client, stream)}`,
          quietMs: o.quietMs,
          intervalMs: o.sampleMs,
        });
        if (allRecorded()) {
          // Every activity recorded: give acks still on their way (and entries never acked)
          // `tailMs` to leave the PEL, then a moment for a second recording under way.
          await waitUntil(async () => (await pendingCount(redis.client, stream)) === 0, o.tailMs, ctx.signal, o.sampleMs);
          await sleep(200, ctx.signal);
        }
      },
      async collect() {
        const groups = (await redis.client.xinfo('GROUPS', stream).catch(() => [])) as unknown[][];
        const info = groups.map((g) => {
          const fields = new Map<string, unknown>();
          for (let i = 0; i + 1 < g.length; i += 2) fields.set(String(g[i]), g[i + 1]);
          return fields;
        });
        const own = info.find((f) => f.get('name') === GROUP_NAME);
        const consumers = own ? ((await redis.client.xinfo('CONSUMERS', stream, GROUP_NAME)) as unknown[][]) : [];
        const entries = own ? ((await redis.client.xpending(stream, GROUP_NAME, '-', '+', 50)) as Array<[string, string, number, number]>) : [];
        const byName = (c: unknown[]) => {
          const fields = new Map<string, unknown>();
          for (let i = 0; i + 1 < c.length; i += 2) fields.set(String(c[i]), c[i + 1]);
          return { name: String(fields.get('name')), pending: Number(fields.get('pending') ?? 0) };
        };
        recordObservation(ctx.history, 'stream-group', {
          group: GROUP_NAME,
          exists: own !== undefined,
          entriesRead: Number(own?.get('entries-read') ?? 0),
          otherGroups: info.map((f) => String(f.get('name'))).filter((name) => name !== GROUP_NAME),
          consumers: consumers.map(byName),
          expectedConsumers: copies.map((c) => `${CONSUMER_PREFIX}${c}`),
          deadConsumers: [...killed].map((c) => `${CONSUMER_PREFIX}${c}`),
          pendingCount: own ? await pendingCount(redis.client, stream) : 0,
          pending: entries.map(([id, consumer, idleMs, deliveries]) => {
            const key = idOfEntry.get(id);
            return { id, ...(key ? { key } : {}), consumer, idleMs: Number(idleMs), deliveries: Number(deliveries) };
          }),
        });
      },
    };
  },
};
