/**
 * reliable-queue
 *
 * A reliable Redis queue never holds a job only in a program's memory: BLMOVE moves it from
 * the queue into the worker's own processing list in one step, the worker removes it (LREM)
 * only after the work succeeded, and when a worker dies the others move its processing list
 * back to the queue. This check reads the lab's snapshots of the lists (see work-lists.ts for
 * snapshot, pending, alive).
 *
 * Definitions:
 * - out of Redis: a job pending at a snapshot that is in neither the queue nor any copy's
 *   processing list: a program had taken it out (BRPOP, RPOP, LPOP, or LREM before the
 *   work), so it existed only in that program's memory; a crash then loses it.
 * - stranded: a job never done that the final snapshot finds in the processing list of a
 *   copy the lab killed (and did not restart): nobody moved it back to the queue.
 * - looks alive: the final snapshot (seconds after the kill) still finds the killed copy's
 *   heartbeat key: no reaper could tell it had died (a TTL far too long, or none).
 *
 * - stray list: a list under the processing prefix that is not PROCESSING_PREFIX + a copy's
 *   number (see work-lists.ts): the program named its processing lists its own way.
 *
 * Causes (most serious first): wrong-list-name when jobs were out of the lists the lab knows
 * or stranded while stray lists existed; taken-out-of-redis; for stranded jobs,
 * dead-copy-looks-alive when the killed copy's heartbeat key outlived it, else
 * stranded-with-dead-worker.
 */
import type { History } from '../runner/history.js';
import { type CheckDefinition, type Selector, countOf, firstFew, select, selector, seconds, str } from './types.js';
import { copy, doneCalls, killedBefore, lifeEventsOf, pushedAt, snapshotsOf, strayListsOf, whereIs } from './work-lists.js';
import { callValue } from '../runner/calls.js';

export interface ReliableQueueParams {
  /** What one item is to the learner: "job". */
  subject: string;
  /** The lab pushing a job (a `produce` of the queue's stream). */
  sent: Selector;
  /** A job done (an OK call to the downstream that does the work). */
  done: Selector;
  /** The queue's name as the learner knows it ("JOBS_QUEUE"). */
  queue: string;
}

export type ReliableQueueCause = 'wrong-list-name' | 'taken-out-of-redis' | 'dead-copy-looks-alive' | 'stranded-with-dead-worker';

export const RELIABLE_QUEUE_CAUSES: Record<ReliableQueueCause, string> = {
  'wrong-list-name':
    "Your copies kept jobs in processing lists of their own naming, not PROCESSING_PREFIX + INSTANCE_ID: the lab could not see them there, and a reaper that reads a copy's number from a list's name cannot pair those lists with heartbeat keys. Name copy N's processing list exactly PROCESSING_PREFIX + N (config.processingList), and its heartbeat key HEARTBEAT_PREFIX + N.",
  'taken-out-of-redis':
    'Jobs your program was working on were in no Redis list at all: it had taken them out of the queue (BRPOP, RPOP, or an LREM before the work), so they existed only in its memory, and a crash loses them. Move each job atomically into your own processing list (BLMOVE) and remove it from there (LREM) only after the work succeeded.',
  'dead-copy-looks-alive':
    "A killed copy's processing list kept its jobs because its heartbeat key outlived it: seconds after the kill the key was still there, so no reaper could tell the copy had died. Give the heartbeat a short TTL (SET key alive PX <ttl in ms>; EX counts seconds) and keep refreshing it, instead of setting it once for long.",
  'stranded-with-dead-worker':
    "A killed copy's processing list still held jobs nobody finished: no live copy moved them back. Every copy must run a reaper: when another copy's heartbeat key is gone, LMOVE the jobs of that copy's processing list back to the queue, one by one.",
};

export const reliableQueue: CheckDefinition<ReliableQueueParams> = {
  name: 'reliable-queue',
  causes: RELIABLE_QUEUE_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), sent: selector(raw, 'sent'), done: selector(raw, 'done'), queue: str(raw, 'queue', 'the queue') }),
  run(history: History, p) {
    const title = `Every ${p.subject} stays in Redis until it is done, and a dead copy's ${p.subject}s go back`;
    const expected = `at every snapshot each pushed ${p.subject} not yet done is in ${p.queue} or a processing list, and a killed copy's processing list ends up empty`;
    const snapshots = snapshotsOf(history);
    if (snapshots.length === 0) return { title, status: 'unknown', expected, observed: 'the lab took no snapshot of the lists', examples: [] };
    const pushed = pushedAt(history, p.sent);
    const done = doneCalls(history, p.done);
    const life = lifeEventsOf(history);
    const firstDone = (job: string) => done.get(job)?.[0];
    const final = [...snapshots].reverse().find((s) => s.value.final);
    const stray = strayListsOf(history);
    const elsewhere = stray.length > 0 ? `; the lab looks for copy N's processing list at PROCESSING_PREFIX + N, and found jobs in lists named ${stray.slice(0, 3).map((l) => `PROCESSING_PREFIX + "${l}"`).join(', ')}` : '';

    // Out of Redis: the first snapshot at which each pending job was in no list.
    const missing = new Map<string, number>();
    for (const s of snapshots) {
      for (const [job, at] of pushed) {
        if (missing.has(job) || at >= s.value.takenAt) continue;
        const d = firstDone(job);
        if (d !== undefined && d.t <= s.t) continue;
        if (whereIs(s.value, job) === undefined) missing.set(job, s.t);
      }
    }
    if (missing.size > 0) {
      const cut = select(history, p.done, 'info');
      const stories = [...missing].map(([job, at]) => {
        const d = firstDone(job);
        const head = `${job} (pushed at ${seconds(pushed.get(job) ?? 0)}): in neither ${p.queue} nor any processing list at ${seconds(at)}`;
        if (d) return `${head}, before it was done (done at ${seconds(d.t)} by ${copy(d.instance)})`;
        const killedCall = cut.find((c) => c.key === job);
        const instance = callValue(killedCall).instance;
        const kill = instance === undefined ? undefined : killedBefore(life, instance, Number.POSITIVE_INFINITY);
        return kill !== undefined && instance !== undefined
          ? `${head}, and never done: ${copy(instance)} was working on it when the lab killed it at ${seconds(kill)}, and it was gone with it`
          : `${head}, and never done`;
      });
      const never = [...missing.keys()].filter((job) => !firstDone(job)).length;
      // The lost ones lead: they show what the mistake costs.
      const ordered = [...stories.filter((s) => s.includes('never done')), ...stories.filter((s) => !s.includes('never done'))];
      return {
        title,
        status: 'fail',
        expected,
        observed: `${countOf(missing.size, pushed.size, p.subject)} ${missing.size === 1 ? 'was' : 'were'}, at some moment before being done, in neither ${p.queue} nor any processing list${never > 0 ? `; ${never} of them ${never === 1 ? 'was' : 'were'} never done` : ''}${elsewhere}`,
        examples: firstFew(ordered),
        cause: stray.length > 0 ? 'wrong-list-name' : 'taken-out-of-redis',
      };
    }

    // Stranded: never done, still in a killed copy's processing list at the end.
    const stranded: string[] = [];
    const lookedAlive = new Map<string, number>();
    if (final) {
      for (const [instance, jobs] of Object.entries(final.value.processing)) {
        const kill = killedBefore(life, Number(instance), final.value.takenAt);
        if (kill === undefined) continue;
        for (const job of jobs) {
          if (firstDone(job) || !pushed.has(job)) continue;
          const since = snapshots.find((s) => s.value.processing[instance]?.includes(job));
          stranded.push(`${job}: in the processing list of ${copy(instance)}${since ? ` since ${seconds(since.t)}` : ''}; the lab killed ${copy(instance)} at ${seconds(kill)}, and at the end (${seconds(final.t)}) the ${p.subject} was still there, never done`);
          if (final.value.heartbeats.includes(Number(instance))) lookedAlive.set(instance, kill);
        }
      }
    }
    if (stranded.length > 0) {
      const them = stranded.length === 1 ? 'it' : 'them';
      const alive = [...lookedAlive];
      return {
        title,
        status: 'fail',
        expected,
        observed:
          alive.length > 0
            ? `${countOf(stranded.length, pushed.size, p.subject)} never done ${stranded.length === 1 ? 'sits' : 'sit'} in the processing list of a copy the lab killed, whose heartbeat key still existed at the end, ${alive.map(([i, kill]) => `${seconds(final ? final.t - kill : 0)} after ${copy(i)} died`).join(', ')}: to a reaper it still looked alive`
            : `${countOf(stranded.length, pushed.size, p.subject)} never done ${stranded.length === 1 ? 'sits' : 'sit'} in the processing list of a copy the lab killed, whose heartbeat key was gone: nobody moved ${them} back to ${p.queue}${elsewhere}`,
        examples: firstFew(stranded),
        cause: stray.length > 0 ? 'wrong-list-name' : alive.length > 0 ? 'dead-copy-looks-alive' : 'stranded-with-dead-worker',
      };
    }
    const killed = life.kills.size > 0;
    return {
      title,
      status: 'pass',
      expected,
      observed: `in all ${snapshots.length} snapshots every pending ${p.subject} was in ${p.queue} or a processing list${killed ? ", and the killed copy's list was emptied" : ''}`,
      examples: [],
    };
  },
};
