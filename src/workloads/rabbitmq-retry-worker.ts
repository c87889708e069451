/**
 * Week 2, RabbitMQ worker: manual acks, prefetch, retry then dead-letter.
 *
 * The learner's worker consumes image tasks from TASKS_QUEUE and, for each, calls the lab's
 * thumbnail API (THUMBNAIL_API_URL). It must ack only after the API answered 200, keep at
 * most PREFETCH_LIMIT unacked, retry failures, and after MAX_ATTEMPTS failed attempts move
 * the task to DEAD_LETTER_QUEUE with the reason. The worker declares both queues itself.
 *
 * Each run has its own RabbitMQ vhost (deleted afterwards), so queue names are plain. On a
 * shared workshop cluster the learner has one vhost for all runs (BROKERLAB_RABBITMQ_VHOST)
 * and may not create others: queue names then start with the run's namespace, and the run
 * deletes exactly the queues and exchanges that appeared in the vhost while it ran.
 *
 * Two phases keep the verdict deterministic:
 * 1. `healthyTasks` plain tasks, sampled for manual-ack and bounded-prefetch. The
 *    scenario's first kill-learner fault holds one call open until the worker finished a
 *    later task (so an ack covering both would already have gone out), then SIGKILLs it and
 *    restarts it. Proves at-least-once: nothing may be lost.
 * 2. Once the worker is back: healthy, transient (first attempt fails) and poison (every
 *    attempt fails) tasks, with no fault, so attempt counts are exact.
 * 3. One more poison task, alone. The second fault kills the worker during its second
 *    attempt and restarts it, so an attempt count kept in memory starts over and shows.
 */
import type { Channel, ChannelModel } from 'amqplib';
import type { Endpoints } from '../brokers/types.js';
import { UsageError } from '../errors.js';
import { LearnerNotReadyError, type Workload, type WorkloadContext, every, intOption, messageId, QuietClock, sleep, waitUntil } from './types.js';

export interface RetryWorkerOptions {
  healthyTasks: number;
  phase2Healthy: number;
  transientTasks: number;
  poisonTasks: number;
  /** Poison tasks sent after phase 2 has settled, one at a time in the worker's hands. */
  lonePoisonTasks: number;
  maxAttempts: number;
  prefetchLimit: number;
  apiLatencyMs: number;
  /** Up to this much more per call, from the run's seed: tasks a worker handles at once
   *  finish out of order. */
  apiJitterMs: number;
  /** A drain ends early once nothing new was done (or dead-lettered) for this long after
   *  the killed worker was restarted: lost tasks never will be, and a wrong solution gets
   *  its verdict in seconds instead of the drain's bound. */
  quietMs: number;
}

type TaskKind = 'healthy' | 'transient' | 'poison';
const TASKS = 'tasks';
const DEAD_LETTER = 'tasks.dead-letter';

/** The management API, for the run's vhost. */
function management(rabbit: Endpoints['rabbitmq']) {
  const auth = `Basic ${Buffer.from(`${rabbit.username}:${rabbit.password}`).toString('base64')}`;
  return async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${rabbit.managementUrl}/api${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
      throw new Error(`RabbitMQ management API ${method} ${path}: HTTP ${response.status}`);
    }
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  };
}

type ManagementApi = ReturnType<typeof management>;

/** The queues and exchanges in a vhost now, by name. */
async function vhostObjects(api: ManagementApi, vhost: string): Promise<{ queues: Set<string>; exchanges: Set<string> }> {
  const v = encodeURIComponent(vhost);
  const [queues, exchanges] = (await Promise.all([api('GET', `/queues/${v}?columns=name`), api('GET', `/exchanges/${v}?columns=name`)])) as Array<Array<{ name: string }>>;
  return { queues: new Set(queues?.map((q) => q.name)), exchanges: new Set(exchanges?.map((e) => e.name)) };
}

/**
 * A given vhost's cleanup: deletes what is in the vhost now and was not before the run, except
 * names of other runs ("bl-<their namespace>.tasks": runs graded at the same time share the
 * vhost). Every run namespace starts with "bl-", so a name is this run's when it starts with
 * its namespace, and nobody else's when it does not start with "bl-" at all (a name the
 * learner's program chose itself, e.g. a retry exchange).
 */
async function deleteAddedObjects(api: ManagementApi, vhost: string, namespace: string, before: { queues: Set<string>; exchanges: Set<string> }): Promise<void> {
  const v = encodeURIComponent(vhost);
  const ours = (name: string, existed: Set<string>) => !existed.has(name) && (name.startsWith(`${namespace}.`) || !name.startsWith('bl-'));
  const now = await vhostObjects(api, vhost);
  for (const queue of now.queues) if (ours(queue, before.queues)) await api('DELETE', `/queues/${v}/${encodeURIComponent(queue)}`);
  for (const exchange of now.exchanges) if (ours(exchange, before.exchanges)) await api('DELETE', `/exchanges/${v}/${encodeURIComponent(exchange)}`);
}

export const rabbitmqRetryWorker: Workload<RetryWorkerOptions> = {
  name: 'rabbitmq-retry-worker',
  parseOptions: (raw) => ({
    healthyTasks: intOption(raw, 'healthyTasks', 120),
    phase2Healthy: intOption(raw, 'phase2Healthy', 30),
    transientTasks: intOption(raw, 'transientTasks', 10),
    poisonTasks: intOption(raw, 'poisonTasks', 5),
    lonePoisonTasks: intOption(raw, 'lonePoisonTasks', 1),
    maxAttempts: intOption(raw, 'maxAttempts', 3),
    prefetchLimit: intOption(raw, 'prefetchLimit', 10),
    apiLatencyMs: intOption(raw, 'apiLatencyMs', 15),
    apiJitterMs: intOption(raw, 'apiJitterMs', 30),
    quietMs: intOption(raw, 'quietMs', 3_000),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = ctx.endpoints.rabbitmq;
    if (!rabbit) throw new Error('rabbitmq endpoint missing');
    const api = management(rabbit);
    if (ctx.shared && !rabbit.vhost) {
      throw new UsageError('a shared cluster (BROKERLAB_NAMESPACE) gives each learner one RabbitMQ vhost: set BROKERLAB_RABBITMQ_VHOST to yours');
    }
    // A given vhost outlives runs (and may hold a concurrent run's queues): names carry the run's namespace.
    const TASKS_QUEUE = rabbit.vhost ? `${ctx.namespace}.${TASKS}` : TASKS;
    const DEAD_LETTER_QUEUE = rabbit.vhost ? `${ctx.namespace}.${DEAD_LETTER}` : DEAD_LETTER;
    const vhost = rabbit.vhost ?? ctx.namespace;
    if (rabbit.vhost) {
      const before = await vhostObjects(api, vhost);
      ctx.defer(() => deleteAddedObjects(api, vhost, ctx.namespace, before));
    } else {
      await api('PUT', `/vhosts/${encodeURIComponent(vhost)}`, {});
      ctx.defer(() => api('DELETE', `/vhosts/${encodeURIComponent(vhost)}`));
      await api('PUT', `/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(rabbit.username)}`, { configure: '.*', write: '.*', read: '.*' });
    }
    const url = `${rabbit.amqpUrl.replace(/\/$/, '')}/${encodeURIComponent(vhost)}`;

    // Loaded here, not at the top: every command reads the catalog (and so this module).
    const amqp = (await import('amqplib')).default;
    const connection: ChannelModel = await amqp.connect(url);
    connection.on('error', () => {}); // surfaced by the next operation instead
    ctx.defer(() => connection.close().catch(() => {}));
    const publisher = await connection.createConfirmChannel();

    const kinds = new Map<string, TaskKind>();
    const thumbnailApi = await ctx.downstream({
      name: 'thumbnail-api',
      keyField: 'taskId',
      latencyMs: o.apiLatencyMs,
      jitterMs: o.apiJitterMs,
      reply(key, attempt) {
        const kind = kinds.get(key);
        if (kind === 'poison') return { status: 500, body: { error: `cannot decode ${key}.jpg: corrupt JPEG data` } };
        if (kind === 'transient' && attempt === 1) return { status: 503, body: { error: 'thumbnail service busy, try again' } };
        if (kind === undefined) return { status: 404, body: { error: `unknown task ${key}` } };
        return { status: 200, body: { thumbnail: `thumbs/${key}.jpg` } };
      },
    });

    /** checkQueue closes its channel when the queue is missing, so each probe gets one. */
    const probeQueue = async (queue: string): Promise<{ messageCount: number; consumerCount: number } | undefined> => {
      let channel: Channel | undefined;
      try {
        channel = await connection.createChannel();
        channel.on('error', () => {});
        return await channel.checkQueue(queue);
      } catch {
        return undefined;
      } finally {
        await channel?.close().catch(() => {});
      }
    };

    let taskCount = 0;
    /** Tasks RabbitMQ confirmed, i.e. that are in the queue or past it. */
    let confirmed = 0;
    const publish = async (kind: TaskKind, phase: number, extraTags: string[] = []): Promise<void> => {
      const taskId = messageId('task', ++taskCount);
      kinds.set(taskId, kind);
      const body = { taskId, image: `uploads/${taskId}.jpg`, width: 320 };
      const tags = [...(kind === 'healthy' ? [] : [kind]), ...extraTags];
      try {
        await new Promise<void>((resolve, reject) =>
          publisher.sendToQueue(TASKS_QUEUE, Buffer.from(JSON.stringify(body)), { persistent: true, messageId: taskId, contentType: 'application/json' }, (err: unknown) =>
            err ? reject(err) : resolve(),
          ),
        );
        confirmed++;
        ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: 'tasks', key: taskId, value: { ...body, phase, tags } });
      } catch (error) {
        ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'fail', stream: 'tasks', key: taskId, value: { error: String(error), tags } });
      }
    };
    const succeeded = () => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.outcome === 'ok').map((op) => op.key));
    const allSucceeded = (kindsWanted: TaskKind[]) => {
      const ok = succeeded();
      return [...kinds].every(([key, kind]) => !kindsWanted.includes(kind) || ok.has(key));
    };
    const consuming = async () => ((await probeQueue(TASKS_QUEUE))?.consumerCount ?? 0) > 0;

    /**
     * One passive declare of the tasks queue, recorded for manual-ack and bounded-prefetch
     * (see checks/observations.ts). RabbitMQ answers it at once; the management API's
     * consumer list lags seconds behind a new consumer (measured: 2.3 to 5 s), which would
     * add that much to every run. `published` is read before the declare and `done` after,
     * so a sample never overstates how many tasks were out of the queue.
     */
    const sampleQueue = async (): Promise<void> => {
      const published = confirmed;
      const queue = await probeQueue(TASKS_QUEUE);
      if (!queue) return;
      const done = succeeded().size;
      const killed = ctx.faultActive();
      ctx.history.record({
        process: 'lab',
        kind: 'observe',
        outcome: 'ok',
        key: 'amqp-queue',
        value: { queue: TASKS_QUEUE, ready: queue.messageCount, consumers: queue.consumerCount, published, done, afterKill: killed && queue.consumerCount === 0 },
      });
    };

    /** True once nothing new was done or dead-lettered for quietMs, not counting the time
     *  between a kill and the restart: the restarted worker's start-up must never look like
     *  the end. */
    const quiet = new QuietClock();
    const stalled = async (): Promise<boolean> => {
      const progress = `${succeeded().size}/${(await probeQueue(DEAD_LETTER_QUEUE))?.messageCount ?? 0}`;
      return quiet.quietFor(progress, !ctx.faultActive()) > o.quietMs;
    };

    return {
      env: {
        AMQP_URL: url,
        TASKS_QUEUE,
        DEAD_LETTER_QUEUE,
        THUMBNAIL_API_URL: thumbnailApi.url,
        MAX_ATTEMPTS: String(o.maxAttempts),
        PREFETCH_LIMIT: String(o.prefetchLimit),
      },
      async awaitReady() {
        if (!(await waitUntil(consuming, ctx.timeouts.readyMs, ctx.signal, 200))) {
          const exists = (await probeQueue(TASKS_QUEUE)) !== undefined;
          throw new LearnerNotReadyError(
            exists
              ? `the queue "${TASKS_QUEUE}" exists but nobody consumed from it within ${ctx.timeouts.readyMs / 1000}s`
              : `your worker did not declare the queue "${TASKS_QUEUE}" within ${ctx.timeouts.readyMs / 1000}s`,
            'Declare TASKS_QUEUE (durable) and start consuming from it right after connecting to AMQP_URL.',
          );
        }
      },
      async run() {
        // Phase 1 is sampled often: the kill leaves a window of a few hundred milliseconds
        // (restart delay plus the program's start) in which the queue has no consumer.
        const stopSampling = every(50, ctx.signal, sampleQueue);
        try {
          ctx.progress(`phase 1: ${o.healthyTasks} tasks; the worker will be killed mid-task`);
          for (let i = 0; i < o.healthyTasks; i++) await publish('healthy', 1);
          await waitUntil(async () => allSucceeded(['healthy']) || (await stalled()), ctx.timeouts.drainMs, ctx.signal, 100);
          await ctx.faultsSettled();
          await waitUntil(consuming, ctx.timeouts.readyMs, ctx.signal, 100);
        } finally {
          await stopSampling();
        }
        quiet.reset();
        ctx.progress(`phase 2: ${o.phase2Healthy} healthy, ${o.transientTasks} flaky and ${o.poisonTasks} poison tasks`);
        const mix: TaskKind[] = [];
        for (let i = 0; i < o.phase2Healthy; i++) mix.push('healthy');
        // Spread transient and poison tasks evenly through the healthy ones.
        const special: TaskKind[] = [...Array(o.transientTasks).fill('transient'), ...Array(o.poisonTasks).fill('poison')];
        special.forEach((kind, i) => mix.splice(Math.floor(((i + 1) * mix.length) / (special.length + 1)) + i, 0, kind));
        for (const kind of mix) await publish(kind, 2);

        const deadLettered = (n: number) => async () => ((await probeQueue(DEAD_LETTER_QUEUE))?.messageCount ?? 0) >= n;
        const settled = (n: number) => async () => (allSucceeded(['healthy', 'transient']) && (await deadLettered(n)()) && !ctx.faultActive()) || (await stalled());
        await waitUntil(settled(o.poisonTasks), ctx.timeouts.drainMs, ctx.signal, 200);

        // Phase 3: poison tasks alone, so that the worker holds nothing else when the
        // scenario's second fault kills it during one's second attempt (a queue's delivery
        // count of other tasks stays exact). An attempt count kept in memory starts over.
        if (o.lonePoisonTasks > 0) {
          quiet.reset();
          ctx.progress(`phase 3: ${o.lonePoisonTasks} poison task${o.lonePoisonTasks === 1 ? '' : 's'} alone; the worker will be killed between attempts`);
          for (let i = 0; i < o.lonePoisonTasks; i++) await publish('poison', 3, ['lone']);
          await waitUntil(settled(o.poisonTasks + o.lonePoisonTasks), ctx.timeouts.drainMs, ctx.signal, 200);
        }
        await ctx.faultsSettled();
        // Quiet period: an extra attempt or a late dead-letter would show up here.
        await sleep(500, ctx.signal);
      },
      async collect() {
        const exists = await probeQueue(DEAD_LETTER_QUEUE);
        if (!exists) return;
        const channel = await connection.createChannel();
        try {
          for (;;) {
            const message = await channel.get(DEAD_LETTER_QUEUE, { noAck: true });
            if (message === false) break;
            const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
            let taskId = message.properties.messageId as string | undefined;
            try {
              taskId ??= (JSON.parse(message.content.toString()) as { taskId?: string }).taskId;
            } catch {
              // a body that is not JSON has no task id; recorded without a key
            }
            const xDeath = headers['x-death'] as Array<{ reason?: string }> | undefined;
            const reason = headers['x-last-error'] ?? xDeath?.[0]?.reason ?? headers['x-first-death-reason'] ?? null;
            ctx.history.record({
              process: 'lab',
              kind: 'dead-letter',
              outcome: 'ok',
              stream: 'dead-letter',
              ...(taskId ? { key: taskId } : {}),
              value: { reason: reason === null ? null : String(reason) },
            });
          }
        } finally {
          await channel.close().catch(() => {});
        }
      },
    };
  },
};
