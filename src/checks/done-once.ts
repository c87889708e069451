/**
 * done-once
 *
 * A work queue gives each job to exactly one worker: no job may be done twice, not even when
 * a worker dies mid-job (its cut-short call is not "done": outcome "info"). Unlike
 * no-duplicates, this check reads the lab's snapshots of the Redis lists (see work-lists.ts)
 * to tell why a job was done twice.
 *
 * Definitions:
 * - done: an operation matching `done` with outcome "ok" (the downstream did the work).
 * - duplicate: a job done more than once.
 * - taken from a live copy: a snapshot shows the job in copy A's processing list, and then a
 *   later snapshot shows it in the queue or another copy's list, or another copy's call for
 *   it arrives, while the lab had not killed A: a reaper took it from a copy that was still
 *   working (a job leaves a processing list only through its owner's LREM or a reaper).
 * - heartbeat lapsed: in some snapshot from the first one showing the job in A's list to the
 *   first one taken after it was seen moved, A's heartbeat key did not exist.
 * - at once: a copy's call for the job arrived before another copy's call for it was answered.
 *
 * The cause of one duplicate is the first that applies:
 * - heartbeat-lapsed: moved from a live copy whose heartbeat had lapsed (refreshed between
 *   jobs rather than on a timer, so a slow job outlived it);
 * - reaped-despite-heartbeat: moved from a live copy whose heartbeat key was there (a
 *   reaper that does not check heartbeats, or checks the wrong key);
 * - taken-by-two: two copies worked on it at once, or it never was in a processing list (it
 *   stayed in the queue while a copy worked on it: read with LINDEX/LRANGE, removed after);
 * - redone-after-done: done again after it was done, having stayed in a processing list (an
 *   LREM that removed nothing), from which a reaper moved it back.
 * The cause named is the first of these (in this order) that any duplicate shows.
 */
import type { History } from '../runner/history.js';
import { type CheckDefinition, type Selector, countOf, firstFew, selector, seconds, str } from './types.js';
import { copy, doneCalls, killedBefore, lifeEventsOf, snapshotsOf, whereIs } from './work-lists.js';

export interface DoneOnceParams {
  subject: string;
  done: Selector;
  /** The queue's name as the learner knows it ("JOBS_QUEUE"). */
  queue: string;
}

export type DoneOnceCause = 'heartbeat-lapsed' | 'reaped-despite-heartbeat' | 'taken-by-two' | 'redone-after-done';

export const DONE_ONCE_CAUSES: Record<DoneOnceCause, string> = {
  'heartbeat-lapsed':
    "A copy that was alive and busy lost its job to another copy's reaper: its heartbeat key had expired while it worked on a slow job. Refresh the heartbeat from a timer of its own (setInterval, a thread), several times per TTL, not between jobs.",
  'reaped-despite-heartbeat':
    "A reaper moved jobs out of the processing list of a copy that was alive, with its heartbeat key in place, so the job was done twice. Reap a copy's list only when its heartbeat key is gone (EXISTS is 0), and never your own.",
  'taken-by-two':
    'Two copies worked on the same job at once: it stayed where every copy could take it while one worked on it. Take a job with one atomic command that moves it out of the queue (BLMOVE into your own processing list); reading it first (LINDEX, LRANGE) and removing it after the work lets every copy read the same job.',
  'redone-after-done':
    'Jobs already done were done again: they stayed in a processing list after the work (the LREM removed nothing, e.g. it was given a re-encoded string instead of the exact one BLMOVE returned) and came back to the queue when that list was recovered. LREM the exact string you moved, once the work succeeded.',
};

const ORDER: DoneOnceCause[] = ['heartbeat-lapsed', 'reaped-despite-heartbeat', 'taken-by-two', 'redone-after-done'];
const PHRASE: Record<DoneOnceCause, string> = {
  'heartbeat-lapsed': "taken from a live copy whose heartbeat had expired",
  'reaped-despite-heartbeat': 'taken from a live copy with its heartbeat in place',
  'taken-by-two': 'worked on by two copies at once',
  'redone-after-done': 'done again after they were done',
};

interface Story {
  cause: DoneOnceCause;
  text: string;
}

function list(instances: number[]): string {
  const unique = [...new Set(instances)].sort((a, b) => a - b);
  return unique.length === 1 ? copy(unique[0] ?? 1) : `copies ${unique.slice(0, -1).join(', ')} and ${unique[unique.length - 1]}`;
}

export const doneOnce: CheckDefinition<DoneOnceParams> = {
  name: 'done-once',
  causes: DONE_ONCE_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), done: selector(raw, 'done'), queue: str(raw, 'queue', 'the queue') }),
  run(history: History, p) {
    const title = `Each ${p.subject} is done once, by one copy`;
    const expected = `each ${p.subject} is done exactly once, by one copy (a call cut short by a kill does not count)`;
    const done = doneCalls(history, p.done);
    const duplicated = [...done].filter(([, calls]) => calls.length > 1);
    if (duplicated.length === 0) return { title, status: 'pass', expected, observed: `${done.size} distinct, none done twice`, examples: [] };
    const snapshots = snapshotsOf(history);
    const life = lifeEventsOf(history);

    const storyOf = (job: string, done: Array<{ t: number; instance: number; arrivedAt: number }>): Story => {
      const calls = [...done].sort((a, b) => a.arrivedAt - b.arrivedAt);
      const n = calls.length;
      const head = `${job}: done ${n} times, by ${list(calls.map((c) => c.instance))}`;
      const taken = (from: number, at: number, firstSeen: number, to: string): Story => {
        // The heartbeat as the snapshots saw it from when the job was first seen in the list
        // up to the first one after it was taken: a reaper may act within milliseconds of the
        // key expiring, between two snapshots, while the busy copy cannot renew it for a while.
        const after = snapshots.find((x) => x.value.takenAt >= at);
        const lapsed = snapshots.some((x) => x.t >= firstSeen && (x.value.takenAt <= at || x === after) && !x.value.heartbeats.includes(from));
        return lapsed
          ? { cause: 'heartbeat-lapsed', text: `${head}: it was in ${copy(from)}'s processing list, and at ${seconds(at)} it was ${to} while ${copy(from)} was alive but its heartbeat key had expired` }
          : { cause: 'reaped-despite-heartbeat', text: `${head}: it was in ${copy(from)}'s processing list, and at ${seconds(at)} it was ${to} while ${copy(from)} was alive, its heartbeat key in place` };
      };
      // Moved from a live copy's processing list, as the snapshots show it.
      let holder: { instance: number; since: number } | undefined;
      for (const s of snapshots) {
        const where = whereIs(s.value, job);
        if (where === undefined) continue;
        if (holder && where !== holder.instance && killedBefore(life, holder.instance, s.value.takenAt) === undefined) {
          return taken(holder.instance, s.t, holder.since, where === 'queue' ? `back in ${p.queue}` : `in ${copy(where)}'s processing list`);
        }
        if (where !== 'queue' && where !== holder?.instance) holder = { instance: where, since: s.t };
      }
      // Or as the calls show it: another copy started it while it was in a live copy's list
      // (the job can only have left that list through a reaper).
      for (const later of calls) {
        for (const earlier of calls) {
          if (earlier === later || earlier.instance === later.instance || earlier.arrivedAt > later.arrivedAt) continue;
          const held = snapshots.find((x) => x.t <= later.arrivedAt && x.value.processing[String(earlier.instance)]?.includes(job));
          if (held && killedBefore(life, earlier.instance, later.arrivedAt) === undefined) {
            return taken(earlier.instance, later.arrivedAt, held.t, `started by ${copy(later.instance)}`);
          }
        }
      }
      // Two copies at once.
      for (const [i, later] of calls.entries()) {
        const earlier = calls.slice(0, i).find((c) => c.instance !== later.instance && later.arrivedAt < c.t);
        if (earlier) {
          return { cause: 'taken-by-two', text: `${head}: ${copy(later.instance)} started it at ${seconds(later.arrivedAt)} while ${copy(earlier.instance)}'s call for it (from ${seconds(earlier.arrivedAt)}) was not answered yet` };
        }
      }
      const inProcessing = snapshots.find((s) => typeof whereIs(s.value, job) === 'number');
      if (!inProcessing) {
        return { cause: 'taken-by-two', text: `${head} (at ${calls.map((c) => seconds(c.t)).join(', ')}), and it never was in a processing list: it stayed in ${p.queue} while copies worked on it` };
      }
      const [first, second] = calls;
      return {
        cause: 'redone-after-done',
        text: `${head}: done at ${seconds(first?.t ?? 0)} by ${copy(first?.instance ?? 1)}, then again at ${seconds(second?.t ?? 0)} by ${copy(second?.instance ?? 1)}; in between it was still in a processing list`,
      };
    };

    const stories = duplicated.map(([job, calls]) => storyOf(job, calls));
    const ranked = ORDER.map((cause) => [cause, stories.filter((s) => s.cause === cause)] as const).filter(([, s]) => s.length > 0);
    const [cause] = ranked[0] ?? ['taken-by-two'];
    const breakdown = ranked.length > 1 ? `: ${ranked.map(([c, s]) => `${s.length} ${PHRASE[c]}`).join(', ')}` : `, all ${PHRASE[cause]}`;
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(duplicated.length, done.size, p.subject)} ${duplicated.length === 1 ? 'was' : 'were'} done more than once${breakdown}`,
      examples: firstFew(ranked.flatMap(([, s]) => s).map((s) => s.text)),
      cause,
    };
  },
};
