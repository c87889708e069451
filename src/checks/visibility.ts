/**
 * one-worker-per-job
 *
 * A queue that hides a received message for a visibility timeout (SQS) promises that only
 * one worker has a job at a time, as long as the worker deletes it before that timeout runs
 * out. When the timeout is shorter than the work, the job comes back mid-work and a second
 * worker does it again.
 *
 * Definitions:
 * - call: an operation matching `calls` (a call to the lab's downstream for a job's key),
 *   from `value.arrivedAt` (it arrived) to `t` (it was answered). Calls refused as
 *   malformed (400) do not count.
 * - overlapping: two calls for the same key, the later one arriving before the earlier one
 *   was answered: two workers had the job at once.
 * - redone: a call for a key that had already been answered 200: the job was done, and
 *   done again because it was not deleted in time.
 * - excused: a copy that made either call was paused (SIGSTOP, a `pause-learner` fault)
 *   between `windowMs` before the first call and the second call: a worker that stood still
 *   past any visibility timeout loses its jobs to the others, whatever the timeout.
 *
 * Passes when no job was worked on twice without an excuse. Causes, by the evidence:
 * - visibility-shorter-than-work: overlapping calls (the job came back while it was worked on).
 * - redone-after-success: a job done (200) was done again later (its delete came too late,
 *   or never).
 */
import type { Operation } from '../runner/history.js';
import { callValue } from '../runner/calls.js';
import { type CheckDefinition, type Selector, countOf, firstFew, num, select, selector, str } from './types.js';

export interface OneWorkerParams {
  subject: string;
  calls: Selector;
  windowMs: number;
}

export type OneWorkerCause = 'visibility-shorter-than-work' | 'redone-after-success';

export const ONE_WORKER_CAUSES: Record<OneWorkerCause, string> = {
  'visibility-shorter-than-work':
    'A job came back to the queue while a worker was still on it, and another worker took it: the visibility timeout was shorter than the work. Ask for a visibility timeout longer than your longest job (VisibilityTimeout on ReceiveMessage), or extend it while you work (ChangeMessageVisibility).',
  'redone-after-success':
    'A job that had succeeded was done again: it was not deleted before its visibility timeout ran out (or not at all). Delete a job right after its work succeeded, within its visibility timeout.',
};

/** [start, end] of each pause of a copy: pause-learner's start and heal events. */
function pausesOf(history: readonly Operation[]): Array<{ instance: number; from: number; to: number }> {
  const pauses: Array<{ instance: number; from: number; to: number }> = [];
  const open = new Map<number, number>();
  for (const op of history) {
    if (op.kind !== 'fault') continue;
    const v = (op.value ?? {}) as { fault?: string; phase?: string; instance?: number };
    if (v.fault !== 'pause-learner' || typeof v.instance !== 'number') continue;
    if (v.phase === 'start') open.set(v.instance, op.t);
    if (v.phase === 'heal') {
      pauses.push({ instance: v.instance, from: open.get(v.instance) ?? 0, to: op.t });
      open.delete(v.instance);
    }
  }
  for (const [instance, from] of open) pauses.push({ instance, from, to: Number.POSITIVE_INFINITY });
  return pauses;
}

export const oneWorkerPerJob: CheckDefinition<OneWorkerParams> = {
  name: 'one-worker-per-job',
  causes: ONE_WORKER_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), calls: selector(raw, 'calls'), windowMs: num(raw, 'windowMs', 5_000) }),
  run(history, p) {
    const title = `One worker at a time on each ${p.subject}`;
    const expected = `each ${p.subject} is worked on by one worker at a time, and not again once it succeeded (but after a worker was paused past the visibility timeout)`;
    const pauses = pausesOf(history);
    const callsOf = new Map<string, Operation[]>();
    for (const op of select(history, p.calls)) {
      if (callValue(op).status === 400 || op.key === undefined) continue;
      callsOf.set(op.key, [...(callsOf.get(op.key) ?? []), op]);
    }
    const found = new Map<OneWorkerCause, string[]>();
    const note = (cause: OneWorkerCause, text: string) => found.set(cause, [...(found.get(cause) ?? []), text]);
    const at = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
    const copy = (op: Operation) => `copy ${callValue(op).instance ?? '?'}`;
    for (const [key, calls] of callsOf) {
      const sorted = [...calls].sort((a, b) => (callValue(a).arrivedAt ?? a.t) - (callValue(b).arrivedAt ?? b.t));
      for (let i = 1; i < sorted.length; i++) {
        const second = sorted[i] as Operation;
        const secondAt = callValue(second).arrivedAt ?? second.t;
        const earlier = sorted.slice(0, i);
        const excused = (first: Operation) => {
          const firstAt = callValue(first).arrivedAt ?? first.t;
          const copies = [callValue(first).instance, callValue(second).instance];
          return pauses.some((x) => copies.includes(x.instance) && x.from <= secondAt && x.to >= firstAt - p.windowMs);
        };
        const running = earlier.find((first) => first.t > secondAt && !excused(first));
        if (running) {
          note('visibility-shorter-than-work', `${key}: ${copy(second)} started on it at ${at(secondAt)} while ${copy(running)} was still on it (from ${at(callValue(running).arrivedAt ?? running.t)} to ${at(running.t)})`);
          break;
        }
        const succeeded = earlier.find((first) => first.outcome === 'ok' && first.t <= secondAt && !excused(first));
        if (succeeded) {
          note('redone-after-success', `${key}: done at ${at(succeeded.t)} by ${copy(succeeded)}, done again at ${at(secondAt)} by ${copy(second)}`);
          break;
        }
      }
    }
    if (found.size === 0) return { title, status: 'pass', expected, observed: `${callsOf.size} ${p.subject}s, none worked on twice at once or redone`, examples: [] };
    const ORDER: OneWorkerCause[] = ['visibility-shorter-than-work', 'redone-after-success'];
    const causes = ORDER.filter((c) => found.has(c));
    const cause = causes[0] ?? 'visibility-shorter-than-work';
    const SAY: Record<OneWorkerCause, (k: number) => string> = {
      'visibility-shorter-than-work': (k) => `${countOf(k, callsOf.size, p.subject)} came back while a worker was still on ${k === 1 ? 'it' : 'them'} and ${k === 1 ? 'was' : 'were'} worked on twice at once`,
      'redone-after-success': (k) => `${countOf(k, callsOf.size, p.subject)} ${k === 1 ? 'was' : 'were'} done again after succeeding`,
    };
    return {
      title,
      status: 'fail',
      expected,
      observed: causes.map((c) => SAY[c](found.get(c)?.length ?? 0)).join('; '),
      examples: firstFew(causes.flatMap((c) => found.get(c) ?? [])),
      cause,
    };
  },
};
