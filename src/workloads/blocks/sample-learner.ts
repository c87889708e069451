/**
 * Sampling the learner's program while a run goes on: every `everyMs`, for each running copy,
 * its resident memory (the whole process group: a program started through a shell or a
 * wrapper counts with its children) and, when a RabbitMQ queue is named, the queue's
 * unacknowledged, ready and acknowledged counts from the management API. Each sample is an
 * observation ("learner-sample"), for checks on memory and work in flight (backpressure, load).
 *
 * The management API's numbers lag by up to its statistics interval (a second): checks read
 * them as "at least this much, a moment ago".
 */
import { readProcTable, readRss } from '../../bench/procfs.js';
import { recordObservation, type LearnerSample } from '../../runner/observations.js';
import { type WorkloadContext, every } from '../types.js';
import type { RabbitRun } from './rabbitmq.js';

export interface SampleLearnerOptions {
  everyMs: number;
  /** The queue the program consumes, to sample with it. */
  rabbit?: { run: Pick<RabbitRun, 'api' | 'vhost'>; queue: string };
}

/** Resident memory of a process group, in bytes (the leader alone when the table cannot be read). */
function groupRss(pid: number): number | undefined {
  const members = readProcTable().filter((p) => p.pgid === pid).map((p) => p.pid);
  const pids = members.length > 0 ? members : [pid];
  let total = 0;
  let seen = false;
  for (const member of pids) {
    const rss = readRss(member);
    if (rss !== undefined) {
      total += rss;
      seen = true;
    }
  }
  return seen ? total : undefined;
}

/** Starts sampling; the returned function stops it (also stopped at cleanup). */
export function sampleLearner(ctx: Pick<WorkloadContext, 'learners' | 'history' | 'signal' | 'defer'>, options: SampleLearnerOptions): () => Promise<void> {
  const stop = every(options.everyMs, ctx.signal, async () => {
    let queue: LearnerSample['queue'];
    if (options.rabbit) {
      const { run, queue: name } = options.rabbit;
      const { status, json } = await run.api('GET', `/queues/${encodeURIComponent(run.vhost)}/${encodeURIComponent(name)}`);
      if (status === 200 && json) {
        const q = json as { messages_unacknowledged?: number; messages_ready?: number; message_stats?: { ack?: number; deliver_no_ack?: number; get_no_ack?: number } };
        // Taken with auto-ack counts as acknowledged on delivery.
        const stats = q.message_stats ?? {};
        queue = { name, unacked: q.messages_unacknowledged ?? 0, ready: q.messages_ready ?? 0, acked: (stats.ack ?? 0) + (stats.deliver_no_ack ?? 0) + (stats.get_no_ack ?? 0) };
      }
    }
    for (const copy of ctx.learners.running()) {
      const pid = copy.pid;
      const rssBytes = pid === undefined ? undefined : groupRss(pid);
      if (rssBytes === undefined) continue;
      recordObservation(ctx.history, 'learner-sample', { instance: copy.instance, rssBytes, ...(queue ? { queue } : {}) });
    }
  });
  let stopped = false;
  const once = async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };
  ctx.defer(once);
  return once;
}
