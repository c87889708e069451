/**
 * Week 2, RabbitMQ worker: manual acks, prefetch, retry then dead-letter.
 *
 * The learner's worker consumes image tasks from TASKS_QUEUE and, for each, calls the lab's
 * thumbnail API (THUMBNAIL_API_URL). It must ack only after the API answered 200, keep at
 * most PREFETCH_LIMIT unacked, retry failures, and after MAX_ATTEMPTS failed attempts move
 * the task to DEAD_LETTER_QUEUE with the reason. The worker declares both queues itself.
 *
 * Three phases keep the verdict deterministic:
 * 1. `healthyTasks` plain tasks, sampled for manual-ack and bounded-prefetch. The
 *    scenario's first kill-learner fault holds one call open until the worker finished a
 *    later task (so an ack covering both would already have gone out), then SIGKILLs it and
 *    restarts it. Proves at-least-once: nothing may be lost.
 * 2. Once the worker is back: healthy, transient (first attempt fails) and poison (every
 *    attempt fails) tasks, with no fault, so attempt counts are exact.
 * 3. One more poison task, alone. The second fault kills the worker during its second
 *    attempt and restarts it, so an attempt count kept in memory starts over and shows.
 */
import { recordObservation } from '../runner/observations.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { openRabbit } from './blocks/rabbitmq.js';
import { type Workload, type WorkloadContext, every, intOption, intOptions, LearnerNotReadyError, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/rabbitmq-retry-worker.js';

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

export const rabbitmqRetryWorker: Workload<RetryWorkerOptions> = {
  name: 'rabbitmq-retry-worker',
  parseOptions: (raw) => ({
    ...intOptions(raw, defaults),
    phase2Healthy: intOption(raw, 'phase2Healthy', 30),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const TASKS_QUEUE = rabbit.name('tasks');
    // The way tasks go in, also for `duplicate` and `poison` faults.
    const tasks = producer(ctx, { stream: 'tasks', inlets: { tasks: (m) => rabbit.publish('', TASKS_QUEUE, m.body, { messageId: m.key, ...(m.extra ?? {}) }) } });
    const DEAD_LETTER_QUEUE = rabbit.name('tasks.dead-letter');

    const thumbnailApi = await ctx.downstream({
      name: 'thumbnail-api',
      keyField: 'taskId',
      latencyMs: o.apiLatencyMs,
      jitterMs: o.apiJitterMs,
      failures: { poison: 'always-500', transient: 'first-503' },
      okBody: { thumbnail: 'thumbs/{key}.jpg' },
    });

    const kinds = new Map<string, TaskKind>();
    let taskCount = 0;
    /** Tasks RabbitMQ confirmed, i.e. that are in the queue or past it. */
    let confirmed = 0;
    const publish = async (kind: TaskKind, phase: number, extraTags: string[] = []): Promise<void> => {
      const taskId = messageId('task', ++taskCount);
      kinds.set(taskId, kind);
      const body = { taskId, image: `uploads/${taskId}.jpg`, width: 320 };
      const tags = [...(kind === 'healthy' ? [] : [kind]), ...extraTags];
      if (await tasks.send(taskId, body, { tags, record: { phase }, extra: { contentType: 'application/json' } })) confirmed++;
    };
    const succeeded = () => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.outcome === 'ok').map((op) => op.key));
    const allSucceeded = (kindsWanted: TaskKind[]) => {
      const ok = succeeded();
      return [...kinds].every(([key, kind]) => !kindsWanted.includes(kind) || ok.has(key));
    };
    const consuming = async () => ((await rabbit.probeQueue(TASKS_QUEUE))?.consumerCount ?? 0) > 0;
    const deadLettered = async () => (await rabbit.probeQueue(DEAD_LETTER_QUEUE))?.messageCount ?? 0;
    /** What moves while tasks are processed: the drain is quiet while it stands still. */
    const progress = async () => `${succeeded().size}/${await deadLettered()}`;

    /**
     * One passive declare of the tasks queue, recorded for manual-ack and bounded-prefetch
     * (see checks/observations.ts). RabbitMQ answers it at once; the management API's
     * consumer list lags seconds behind a new consumer (measured: 2.3 to 5 s), which would
     * add that much to every run. `published` is read before the declare and `done` after,
     * so a sample never overstates how many tasks were out of the queue.
     */
    const sampleQueue = async (): Promise<void> => {
      const published = confirmed;
      const publishing = tasks.inFlight() > 0;
      const queue = await rabbit.probeQueue(TASKS_QUEUE);
      if (!queue) return;
      const done = succeeded().size;
      const afterKill = ctx.faultActive() && queue.consumerCount === 0;
      // After a kill a sample must be exact: a task confirmed during the declare is in `ready`
      // but not in `published`, and would read as one the dead worker held that came back.
      if (afterKill && (publishing || confirmed !== published)) return;
      recordObservation(ctx.history, 'amqp-queue', { queue: TASKS_QUEUE, ready: queue.messageCount, consumers: queue.consumerCount, published, done, afterKill });
    };
    /** A copy killed and not restarted yet: phase 1 publishes nothing meanwhile, so the queue
     *  after a kill holds what came back and what was never delivered, never tasks published
     *  since (on a busy machine the worker can reach its 30th call before the 120 are out). */
    let killed = false;
    ctx.onFault((op) => {
      if (op.value.phase === 'start' && op.value.signal === 'SIGKILL') killed = true;
      if (op.value.phase === 'heal') killed = false;
    });

    return {
      env: {
        AMQP_URL: rabbit.url,
        TASKS_QUEUE,
        DEAD_LETTER_QUEUE,
        THUMBNAIL_API_URL: thumbnailApi.url,
        MAX_ATTEMPTS: String(o.maxAttempts),
        PREFETCH_LIMIT: String(o.prefetchLimit),
      },
      async awaitReady() {
        if (!(await waitUntil(consuming, ctx.timeouts.readyMs, ctx.signal, 200))) {
          const exists = (await rabbit.probeQueue(TASKS_QUEUE)) !== undefined;
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
          for (let i = 0; i < o.healthyTasks && !ctx.signal.aborted; i++) {
            if (killed) await waitUntil(async () => !killed, ctx.timeouts.readyMs, ctx.signal, 20);
            await publish('healthy', 1);
          }
          await drain(ctx, { done: () => allSucceeded(['healthy']), progress, quietMs: o.quietMs });
          await ctx.faultsSettled();
          await waitUntil(consuming, ctx.timeouts.readyMs, ctx.signal, 100);
        } finally {
          await stopSampling();
        }

        ctx.progress(`phase 2: ${o.phase2Healthy} healthy, ${o.transientTasks} flaky and ${o.poisonTasks} poison tasks`);
        const mix: TaskKind[] = Array(o.phase2Healthy).fill('healthy');
        // Spread transient and poison tasks evenly through the healthy ones.
        const special: TaskKind[] = [...Array(o.transientTasks).fill('transient'), ...Array(o.poisonTasks).fill('poison')];
        special.forEach((kind, i) => mix.splice(Math.floor(((i + 1) * mix.length) / (special.length + 1)) + i, 0, kind));
        for (const kind of mix) await publish(kind, 2);
        const settled = (poison: number) => async () => allSucceeded(['healthy', 'transient']) && (await deadLettered()) >= poison;
        await drain(ctx, { done: settled(o.poisonTasks), progress, quietMs: o.quietMs });

        // Phase 3: poison tasks alone, so that the worker holds nothing else when the
        // scenario's second fault kills it during one's second attempt (a queue's delivery
        // count of other tasks stays exact). An attempt count kept in memory starts over.
        if (o.lonePoisonTasks > 0) {
          ctx.progress(`phase 3: ${o.lonePoisonTasks} poison task${o.lonePoisonTasks === 1 ? '' : 's'} alone; the worker will be killed during its second attempt`);
          for (let i = 0; i < o.lonePoisonTasks; i++) await publish('poison', 3, ['lone']);
          await drain(ctx, { done: settled(o.poisonTasks + o.lonePoisonTasks), progress, quietMs: o.quietMs });
        }
        await ctx.faultsSettled();
        // Quiet period: an extra attempt or a late dead-letter would show up here.
        await sleep(500, ctx.signal);
      },
      async collect() {
        await rabbit.recordQueueConfig('tasks', TASKS_QUEUE);
        await rabbit.recordQueueConfig('dead-letter', DEAD_LETTER_QUEUE);
        if (!(await rabbit.probeQueue(DEAD_LETTER_QUEUE))) return;
        for (const message of await rabbit.takeAll(DEAD_LETTER_QUEUE)) {
          const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
          let taskId = message.properties.messageId as string | undefined;
          let body: unknown = null;
          try {
            body = JSON.parse(message.content.toString());
            taskId ??= (body as { taskId?: string }).taskId;
          } catch {
            // a body that is not JSON has no task id; recorded without a key
          }
          const xDeath = headers['x-death'] as Array<{ reason?: string }> | undefined;
          const reason = headers['x-last-error'] ?? xDeath?.[0]?.reason ?? headers['x-first-death-reason'] ?? null;
          ctx.history.record({ process: 'lab', kind: 'dead-letter', outcome: 'ok', stream: 'dead-letter', ...(taskId ? { key: taskId } : {}), value: { reason: reason === null ? null : String(reason), body, messageId: message.properties.messageId ?? null } });
        }
      },
    };
  },
};
