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
 * - again after: a call for the job arrived after an earlier call for it was answered, while
 *   the earlier call's copy was alive, in a run whose snapshots showed jobs in processing
 *   lists: the job came back out of that copy's processing list, which only a reaper does
 *   (the copy's own program removes it with LREM).
 * - gave up: the earlier call's copy stopped waiting for the answer (a client timeout), though
 *   the service did the work (the call is done, with `callerGaveUp`).
 *
 * The cause of one duplicate is the first that applies:
 * - wrong-list-name: the snapshots found lists under the processing prefix that are not
 *   PROCESSING_PREFIX + a copy's number: the program's own names, which its reapers cannot
 *   pair with heartbeat keys (the lab cannot see into them either);
 * - retried-after-timeout: an earlier call for it was one its copy gave up waiting for, and
 *   the job was done again;
 * - heartbeat-lapsed: moved from a live copy whose heartbeat key was missing (refreshed between
 *   jobs rather than on a timer, set only after the first job, or refreshed too rarely);
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
import { type DoneCall, copy, doneCalls, killedBefore, lifeEventsOf, snapshotsOf, strayListsOf, whereIs } from './work-lists.js';

export interface DoneOnceParams {
  subject: string;
  done: Selector;
  /** The queue's name as the learner knows it ("JOBS_QUEUE"). */
  queue: string;
}

export type DoneOnceCause = 'wrong-list-name' | 'retried-after-timeout' | 'heartbeat-lapsed' | 'reaped-despite-heartbeat' | 'taken-by-two' | 'redone-after-done';

export const DONE_ONCE_CAUSES: Record<DoneOnceCause, string> = {
  'wrong-list-name':
    "Your copies kept jobs in processing lists of their own naming, not PROCESSING_PREFIX + INSTANCE_ID, so the reapers could not pair each list with its owner's heartbeat key and took live copies' jobs. Name copy N's processing list exactly PROCESSING_PREFIX + N and its heartbeat key HEARTBEAT_PREFIX + N.",
  'retried-after-timeout':
    'Your program stopped waiting for the service before it answered (a client timeout shorter than the slowest job), took the job for failed and did it again, though the service had done it. Give the call a timeout well above the slowest job the README names.',
  'heartbeat-lapsed':
    "A copy that was alive lost its job to another copy's reaper because its heartbeat key was missing. The key must exist from before a copy takes its first job until it dies: set it before the first BLMOVE, then refresh it from a timer of its own (setInterval; a thread in Python, whose time.sleep takes seconds) about every quarter of the TTL, whatever the job loop is doing.",
  'reaped-despite-heartbeat':
    "A reaper moved jobs out of the processing list of a copy that was alive, with its heartbeat key in place, so the job was done twice. Reap a copy's list only when its heartbeat key is gone (EXISTS is 0), and never your own.",
  'taken-by-two':
    'Two copies worked on the same job at once: it stayed where every copy could take it while one worked on it. Take a job with one atomic command that moves it out of the queue (BLMOVE into your own processing list); reading it first (LINDEX, LRANGE) and removing it after the work lets every copy read the same job.',
  'redone-after-done':
    'Jobs already done were done again: they stayed in a processing list after the work (the LREM removed nothing, e.g. it was given a re-encoded string instead of the exact one BLMOVE returned) and came back to the queue when that list was recovered. LREM the exact string you moved, once the work succeeded.',
};

const ORDER: DoneOnceCause[] = ['wrong-list-name', 'retried-after-timeout', 'heartbeat-lapsed', 'reaped-despite-heartbeat', 'taken-by-two', 'redone-after-done'];
const PHRASE: Record<DoneOnceCause, string> = {
  'wrong-list-name': 'taken while your copies kept jobs in lists of their own naming',
  'retried-after-timeout': 'done again after your program stopped waiting for the answer',
  'heartbeat-lapsed': 'taken from a live copy whose heartbeat key was missing',
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
    const stray = strayListsOf(history);
    const usesProcessingLists = snapshots.some((x) => Object.values(x.value.processing).some((jobs) => jobs.length > 0));

    const storyOf = (job: string, done: DoneCall[]): Story => {
      const calls = [...done].sort((a, b) => a.arrivedAt - b.arrivedAt);
      const n = calls.length;
      const head = `${job}: done ${n} times, by ${list(calls.map((c) => c.instance))}`;
      if (stray.length > 0) {
        return { cause: 'wrong-list-name', text: `${head}, while your copies kept jobs in lists named ${stray.slice(0, 3).map((l) => `PROCESSING_PREFIX + "${l}"`).join(', ')}` };
      }
      const gaveUp = calls.slice(0, -1).find((c) => c.callerGaveUp);
      if (gaveUp) {
        const again = calls.find((c) => c.arrivedAt > gaveUp.arrivedAt);
        return {
          cause: 'retried-after-timeout',
          text: `${head}: ${copy(gaveUp.instance)}'s call from ${seconds(gaveUp.arrivedAt)} was done at ${seconds(gaveUp.t)}, but your program had stopped waiting for the answer${again ? `, and ${copy(again.instance)} did the job again at ${seconds(again.arrivedAt)}` : ''}`,
        };
      }
      const taken = (from: number, at: number, firstSeen: number, to: string): Story => {
        // The heartbeat as the snapshots saw it from when the job was first seen in the list
        // (or just before: snapshots are recorded only when something changed) up to the
        // first one after it was taken: a reaper may act within milliseconds of the key
        // expiring, between two snapshots, while the busy copy cannot renew it for a while.
        const after = snapshots.find((x) => x.value.takenAt >= at);
        const before = [...snapshots].reverse().find((x) => x.t < firstSeen);
        const window = snapshots.filter((x) => x === before || (x.t >= firstSeen && (x.value.takenAt <= at || x === after)));
        const missingAt = window.filter((x) => !x.value.heartbeats.includes(from));
        if (missingAt.length > 0) {
          const everSeen = snapshots.some((x) => x.t <= (missingAt[0]?.t ?? 0) && x.value.heartbeats.includes(from));
          return {
            cause: 'heartbeat-lapsed',
            text: `${head}: it was in ${copy(from)}'s processing list, and at ${seconds(at)} it was ${to} while ${copy(from)} was alive, but its heartbeat key was missing (at ${missingAt
              .slice(0, 3)
              .map((x) => seconds(x.t))
              .join(', ')}${everSeen ? '' : `; the lab had not seen ${copy(from)}'s heartbeat key at all by then`})`,
          };
        }
        return { cause: 'reaped-despite-heartbeat', text: `${head}: it was in ${copy(from)}'s processing list, and at ${seconds(at)} it was ${to} while ${copy(from)} was alive, its heartbeat key in place` };
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
      // Or done again after a live copy had done it: it came back out of that copy's list.
      // Only for a program that keeps jobs in processing lists at all: one that leaves them in
      // the queue while working (LINDEX, then LREM) shows the same calls for another reason.
      for (const [i, later] of usesProcessingLists ? calls.entries() : []) {
        const earlier = calls.slice(0, i).find((c) => later.arrivedAt >= c.t && killedBefore(life, c.instance, later.arrivedAt) === undefined);
        if (earlier) return taken(earlier.instance, later.arrivedAt, earlier.arrivedAt, `started again by ${copy(later.instance)}`);
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
