/**
 * no-lost-messages
 *
 * Definitions:
 * - sent: a `produce` operation by the lab with outcome "ok" (the broker accepted it),
 *   minus those carrying `excludeTag` (e.g. poison messages, which must be dead-lettered).
 * - delivered: an operation matching `delivered` with outcome "ok" and the same key (the lab
 *   saw the learner's output for it, or the downstream saw a successful call for it).
 *   Outcome "info" (e.g. a call cut short by a kill) does not count as delivered.
 * - lost: sent, and never delivered by the end of the run's drain phase.
 * - attempt: an operation matching `attempts` (default: the delivered kind and stream) with
 *   the message's key, whatever its outcome (a failed call, a call cut short by a kill).
 * - marked: with `marks`, a message the program's key store marks as processed (the lab's
 *   scans, observation "processed-marks").
 *
 * Why each lost message was lost, from the evidence (its "story", most specific first):
 * - marked-not-done: it is marked as processed, but was never processed: the program set
 *   its mark before the work, the work failed or its copy was killed, and the copy that got
 *   it again found the mark and skipped it.
 * - lost-at-kill: it was being processed when the lab killed the program (an attempt cut
 *   short), or it was sent before a kill and never attempted afterwards: the program had
 *   taken it, told the broker it was done (auto-ack, an ack or commit before the work, an
 *   ack covering others) and died with it.
 * - dead-lettered: it went to the dead-letter queue although it could have succeeded.
 * - rejected: every attempt was refused by the lab's service as malformed (a 400 naming what
 *   is wrong: a missing header, a field of the wrong type): the program breaks the README's
 *   contract with the service.
 * - gave-up: it was attempted, every attempt failed, and nobody tried again.
 * - not-taken-over: lost at a kill, in a partition in which nothing at all was processed
 *   after the kill: the killed copy's share was never handed to a survivor (for a consumer
 *   group: its session timeout is longer than the lab waits).
 * - stalled: never attempted, sent after the last message the program processed, while it
 *   kept running: it stopped taking work (a blocked handler, a deadlock).
 * - program-died: never attempted, sent before or after a copy of the program exited on its
 *   own (a crash), while no copy processed anything afterwards: its stderr says why.
 * - missed-first: never attempted, and exactly the first ones sent: the program was not
 *   listening yet when they came (a handler attached after subscribing, a consumer started
 *   late).
 * - left-in-queue: never attempted, and once the program had stopped, at least as many
 *   messages as these were back in or still in the queue (observation "amqp-left-after-stop"):
 *   nobody took them in time, or they were taken and given back unfinished (too slow, stuck,
 *   a prefetch full of unacked messages), not lost to an early ack.
 * - never-processed: sent while no kill was pending and never attempted at all.
 * And when nothing at all got through:
 * - unreadable: outputs did arrive, but none the lab could read (not JSON, no id).
 * - nothing-arrived: nothing arrived where the lab listens (another channel or queue name, or
 *   publishing on a connection that cannot publish).
 */
import type { History, Operation } from '../runner/history.js';
import { faultEvents, killTimes } from '../faults/events.js';
import { lastObservation } from '../runner/observations.js';
import {
  type CheckDefinition,
  type Selector,
  countOf,
  firstFew,
  matches,
  optionalStr,
  select,
  selector,
  seconds,
  str,
  tagsOf,
} from './types.js';
import { crashes } from '../runner/learner-events.js';
import { callValue } from '../runner/calls.js';

export interface LostParams {
  /** What one message is to the learner: "notification", "task", "payment". */
  subject: string;
  /** What the lab sends, when the learner's output is something else ("order" in, a
   *  notification out). Default: the subject. */
  input?: string;
  sent: Selector;
  delivered: Selector;
  /** What counts as an attempt at a message (default: the delivered kind and stream). */
  attempts?: Selector;
  /** Read the program's marks (observation "processed-marks"). */
  marks?: boolean;
  excludeTag?: string;
}

export type LostCause = 'marked-not-done' | 'left-in-queue' | 'lost-at-kill' | 'not-taken-over' | 'dead-lettered' | 'rejected' | 'gave-up' | 'program-died' | 'stalled' | 'missed-first' | 'never-processed' | 'unreadable' | 'nothing-arrived';

export const LOST_CAUSES: Record<LostCause, string> = {
  'marked-not-done':
    'Messages were marked as processed before their work was done: when the work failed (or the copy was killed), the copy that got the message again found the mark and skipped it. Set the mark only together with the work, in one atomic step after the slow part (a Lua script, or SET NX right before the effect), or remove it when the work fails.',
  'lost-at-kill':
    'Messages your program had taken were gone when it was killed: the broker had already been told they were done. Acknowledge or commit a message only after its work succeeded, and only that message.',
  'left-in-queue':
    'Messages were still in the queue when the run ended: your program did not get to them in time (too slow, stuck waiting, or holding unacked messages that block new ones), though it was running. Look at what it waits for between messages.',
  'dead-lettered': 'Messages that would have succeeded on a later attempt were dead-lettered. Retry a failure before giving up on it.',
  rejected: "The lab's service refused your calls as malformed (HTTP 400), saying what is wrong (in the examples): send exactly what the README's contract asks, the headers included.",
  'gave-up': 'A first attempt failed and the message was never tried again. Failures can be temporary: send the message back for another attempt (nack with requeue, or a retry queue).',
  'not-taken-over':
    'What the killed copy had not finished was never handed to another copy during the run: nothing of its share was processed after the kill. In a consumer group the dead member is noticed only when its session times out: use short session and heartbeat timings (the README gives the lab\'s).',
  stalled: 'Your program stopped taking messages while it was still running: everything sent after that was never processed. Look for a handler that never returns (a blocking call, a lock, a synchronous commit from another thread) or a consumer that stopped fetching.',
  'program-died': 'Your program died (it exited without being stopped), and nothing processed the messages after that. Its stderr says why; fix the crash first (an error thrown from a handler, a channel closed by the broker for a protocol error such as acking a delivery twice).',
  'missed-first': 'The first messages were missed: your program was not listening yet when they came. Set everything up (handlers, consumers) before you subscribe or start consuming.',
  'never-processed': 'Some messages were never processed at all. Process every message you receive, and check that you are listening where the lab sends.',
  unreadable: 'Your outputs arrived, but the lab could not read them: send JSON (JSON.stringify; json.dumps in Python) with the id field the README names.',
  'nothing-arrived': 'Nothing at all arrived where the lab listens. Check the exact name you publish to (from the environment variable, not a default) and that you publish on a connection that can (a subscribed Redis connection can only subscribe).',
};

/** Most serious first; a program that missed the first messages made that mistake first. */
const SERIOUSNESS: LostCause[] = ['marked-not-done', 'rejected', 'missed-first', 'not-taken-over', 'lost-at-kill', 'program-died', 'left-in-queue', 'stalled', 'dead-lettered', 'gave-up', 'never-processed'];
/** A call cut short this long after a kill of the lab's was cut by it (the connection closes as
 *  the process dies; under load that takes a moment). */
const CUT_BY_KILL_MS = 2_000;

interface Story {
  readonly op: Operation;
  cause: LostCause;
  text: string;
}

/** Why one lost message was lost, from what the history shows about it. */
function storyOf(op: Operation, history: History, p: LostParams, kills: number[], marked: ReadonlySet<string>): Story {
  const key = op.key ?? '';
  const attempts = history.filter((a) => matches(a, attemptSelector(p)) && a.key === key);
  const sentAt = `sent at ${seconds(op.t)}`;
  if (marked.has(key)) {
    const last = attempts[attempts.length - 1];
    const what = !last
      ? 'never attempted'
      : last.outcome === 'info'
        ? `its copy was killed mid-work at ${seconds(last.t)}`
        : last.outcome === 'ok'
          ? `its last attempt at ${seconds(last.t)} succeeded, and nothing was done with it: the copy died or gave up before finishing`
          : `its last attempt at ${seconds(last.t)} failed`;
    return { op, cause: 'marked-not-done', text: `${key} (${sentAt}): marked as processed in your key store, but never processed (${what})` };
  }
  const cut = attempts.find((a) => a.outcome === 'info');
  if (cut) {
    const later = attempts.filter((a) => a.t > cut.t).length;
    // A call is cut short by any death of its caller: the lab's kill, or a crash of its own.
    // The last kill before it: with several kills in a run, the one that cut this call.
    const kill = kills.findLast((k) => k <= cut.t && cut.t - k <= CUT_BY_KILL_MS);
    const death = kill === undefined ? `your program died at ${seconds(cut.t)} (the lab did not kill it: it crashed or exited)` : `your program was killed at ${seconds(kill)}`;
    return { op, cause: 'lost-at-kill', text: `${key} (${sentAt}): being processed when ${death}, and ${later === 0 ? 'never processed again' : `its ${later} later attempt${later === 1 ? '' : 's'} failed`}` };
  }
  const deadLetter = history.find((d) => d.kind === 'dead-letter' && d.key === key);
  if (deadLetter) {
    const n = attempts.length;
    return { op, cause: 'dead-lettered', text: `${key} (${sentAt}${tagsOf(op).length ? `, ${tagsOf(op).join(', ')}` : ''}): dead-lettered after ${n} attempt${n === 1 ? '' : 's'}, though a later attempt would have succeeded` };
  }
  const rejected = attempts.map((a) => callValue(a).rejected);
  if (attempts.length > 0 && rejected.every((reason) => reason !== undefined)) {
    return { op, cause: 'rejected', text: `${key} (${sentAt}): refused ${attempts.length === 1 ? 'once' : `${attempts.length} times`} with 400: "${rejected[0]}"` };
  }
  if (attempts.length > 0) {
    const n = attempts.length;
    return { op, cause: 'gave-up', text: `${key} (${sentAt}): ${n === 1 ? 'its only attempt' : `all ${n} attempts`} failed, and it was never tried again` };
  }
  // Sent before a kill, never attempted, while the program did process other messages after
  // the kill: it had been taken, and it died with the killed copy.
  const killAfter = kills.find((t) => t >= op.t);
  const workedAfterKill = killAfter !== undefined && history.some((a) => a.t > killAfter && a.kind === p.delivered.kind && a.outcome === 'ok');
  if (killAfter !== undefined && workedAfterKill) {
    return { op, cause: 'lost-at-kill', text: `${key} (${sentAt}): never processed; your program was killed at ${seconds(killAfter)} and nobody processed it afterwards` };
  }
  return { op, cause: 'never-processed', text: `${key} (${sentAt}): never processed` };
}

/** The first operation of each key. */
function uniqueByKey(ops: Operation[]): Operation[] {
  const first = new Map<string | undefined, Operation>();
  for (const op of ops) if (!first.has(op.key)) first.set(op.key, op);
  return [...first.values()];
}

function attemptSelector(p: LostParams): Selector {
  return p.attempts ?? { kind: p.delivered.kind, ...(p.delivered.stream === undefined ? {} : { stream: p.delivered.stream }) };
}

export const noLostMessages: CheckDefinition<LostParams> = {
  name: 'no-lost-messages',
  causes: LOST_CAUSES,
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    ...(raw.input === undefined ? {} : { input: str(raw, 'input') }),
    sent: selector(raw, 'sent'),
    delivered: selector(raw, 'delivered'),
    ...(raw.attempts === undefined ? {} : { attempts: selector(raw, 'attempts') }),
    ...(raw.marks === true ? { marks: true } : {}),
    excludeTag: optionalStr(raw, 'excludeTag'),
  }),
  run(history: History, p) {
    // One per message: copies the lab sent (a duplicate fault) are the same message again.
    const sent = uniqueByKey(select(history, p.sent, 'ok')).filter((op) => !(p.excludeTag && tagsOf(op).includes(p.excludeTag)));
    const delivered = new Set(select(history, p.delivered, 'ok').map((op) => op.key));
    const lost = sent.filter((op) => !delivered.has(op.key));
    const total = sent.length;
    const title = p.input ? `Every ${p.input} gets its ${p.subject}` : `Every ${p.subject} gets through`;
    const expected = p.input ? `each of the ${total} ${p.input}s the lab sent gets its ${p.subject}` : `all ${total} ${p.subject}s sent by the lab are processed at least once`;
    if (total === 0) {
      return { title, status: 'unknown', expected, observed: 'the lab sent nothing, so nothing could be checked', examples: [] };
    }
    if (lost.length === 0) {
      return { title, status: 'pass', expected, observed: `all ${total} arrived`, examples: [] };
    }
    const what = p.input ? `${countOf(lost.length, total, p.input)} got no ${p.subject}` : `${countOf(lost.length, total, p.subject)} never got through`;
    // Outputs the lab receives (not calls, whose failures are attempts): when none could be
    // read, or none came at all, that is the story for every one.
    if (delivered.size === 0 && p.delivered.kind === 'consume') {
      const unreadable = history.filter((op) => op.kind === p.delivered.kind && (p.delivered.stream === undefined || op.stream === p.delivered.stream) && op.outcome === 'fail');
      if (unreadable.length > 0) {
        const sample = unreadable.map((op) => op.value).find((v) => typeof v === 'string');
        return {
          title,
          status: 'fail',
          expected,
          observed: `${what}: ${unreadable.length} output${unreadable.length === 1 ? '' : 's'} arrived, none of which the lab could read`,
          examples: sample ? [`for example: ${JSON.stringify(String(sample).slice(0, 120))}`] : [],
          cause: 'unreadable',
        };
      }
      return { title, status: 'fail', expected, observed: `${what}: nothing at all arrived where the lab listens`, examples: [], cause: 'nothing-arrived' };
    }
    const kills = killTimes(history);
    const marked = new Set(p.marks ? (lastObservation(history, 'processed-marks')?.marked ?? []) : []);
    const stories = lost.map((op) => storyOf(op, history, p, kills, marked));
    // Never attempted, and exactly the first ones sent (everything after them got through):
    // the program was not listening yet when they came, whatever happened later.
    const firstDelivered = sent.findIndex((op) => delivered.has(op.key));
    const unattempted = stories.filter((story) => !history.some((a) => (p.attempts ? matches(a, p.attempts) : a.kind === p.delivered.kind) && a.key === story.op.key));
    const firstDeliveredAt = history.find((op) => op.kind === p.delivered.kind && op.outcome === 'ok')?.t ?? Number.POSITIVE_INFINITY;
    const workedBeforeAnyKill = kills.length === 0 || firstDeliveredAt < (kills[0] ?? 0);
    // Missed first also when the others were lost at a kill (a consumer that starts at the end
    // of a topic also skips what a partition's new owner had no commit for): it came first.
    // Not when others went missing without a kill (a poller misses some all along).
    const early = workedBeforeAnyKill ? unattempted.filter((story) => sent.indexOf(story.op) < firstDelivered) : [];
    // The rest must be explained by a kill, or be of a partition whose first messages were
    // missed: with no commit there, every new owner (a restarted or added copy) starts at its
    // end again and skips what came meanwhile, the same mistake.
    const earlyPartitions = new Set(early.map((story) => story.op.partition).filter((p) => p !== undefined));
    const restAtKill = stories
      .filter((story) => !early.includes(story))
      .every((story) => story.cause === 'lost-at-kill' || story.cause === 'not-taken-over' || (story.op.partition !== undefined && earlyPartitions.has(story.op.partition)));
    for (const story of early.length > 0 && restAtKill ? early : []) {
      story.cause = 'missed-first';
      story.text = `${story.op.key} (sent at ${seconds(story.op.t)}): missed, one of the first ${firstDelivered} sent, before your program was listening`;
    }
    // Never processed, and exactly the first ones sent (everything after them got through):
    // the program was not listening yet.
    // A copy that exited on its own, after which nobody processed anything: the crash is the story.
    const crash = crashes(history)[0];
    if (crash && !history.some((op) => op.t > crash.t && op.kind === p.delivered.kind && op.outcome === 'ok')) {
      const said = crash.value.stderr;
      for (const story of stories.filter((st) => st.cause === 'never-processed' || (st.cause === 'lost-at-kill' && st.op.t > crash.t))) {
        story.cause = 'program-died';
        story.text = `${story.op.key} (sent at ${seconds(story.op.t)}): never processed; your program died at ${seconds(crash.t)}${said ? ` saying ${JSON.stringify(said.slice(0, 160))}` : ''}`;
      }
    }
    // Lost at a kill in a partition where nothing at all was processed after the kill: the
    // killed copy's share was never taken over.
    const killedAt = kills[0];
    if (killedAt !== undefined) {
      const okAfter = history.filter((op) => op.t > killedAt && op.kind === p.delivered.kind && op.outcome === 'ok');
      const partitionOfKey = new Map(sent.map((op) => [op.key, op.partition]));
      const busyAfter = new Set(okAfter.map((op) => partitionOfKey.get(op.key)));
      for (const story of stories.filter((st) => st.cause === 'lost-at-kill' && st.op.partition !== undefined && !busyAfter.has(st.op.partition))) {
        story.cause = 'not-taken-over';
        story.text = `${story.op.key} (sent at ${seconds(story.op.t)}, partition ${story.op.partition}): never processed; after the kill at ${seconds(killedAt)} nothing more of partition ${story.op.partition} was processed at all`;
      }
    }
    // Never attempted, while the queue still held at least as many once the program stopped:
    // not lost to an early ack (an acked message is gone from the queue), just not done in time.
    const left = lastObservation(history, 'amqp-left-after-stop');
    const neverTried = stories.filter((st) => (st.cause === 'lost-at-kill' || st.cause === 'never-processed') && !history.some((a) => matches(a, attemptSelector(p)) && a.key === st.op.key));
    if (left && !crash && neverTried.length > 0 && left.left >= neverTried.length) {
      for (const story of neverTried) {
        story.cause = 'left-in-queue';
        story.text = `${story.op.key} (sent at ${seconds(story.op.t)}): never attempted; ${left.left} messages were still in ${left.name} when your program was stopped`;
      }
      // Cut short by a kill, while the queue held those too: given back unacked (not acked
      // early, or it would be gone from the queue) and left there by the restarted program.
      const victims = new Set(faultEvents(history).filter((f) => f.value.signal === 'SIGKILL' && f.key !== undefined).map((f) => f.key));
      const cutShort = stories.filter((st) => st.cause === 'lost-at-kill' && victims.has(st.op.key));
      if (cutShort.length > 0 && left.left >= neverTried.length + cutShort.length) {
        for (const story of cutShort) {
          story.cause = 'left-in-queue';
          story.text = `${story.op.key} (sent at ${seconds(story.op.t)}): being processed when your program was killed, given back to ${left.name}, and still there when your program was stopped`;
        }
      }
    }
    // Never taken, sent after the last message processed, while the program kept running.
    const lastOk = Math.max(-1, ...history.filter((op) => op.kind === p.delivered.kind && op.outcome === 'ok').map((op) => op.t));
    const exited = crash !== undefined;
    if (!exited && lastOk >= 0) {
      for (const story of stories.filter((st) => st.cause === 'never-processed' && st.op.t > lastOk)) {
        story.cause = 'stalled';
        story.text = `${story.op.key} (sent at ${seconds(story.op.t)}): never taken; your program processed nothing after ${seconds(lastOk)}, though it kept running`;
      }
    }
    // The cause named is the most serious one shown (a loss at a kill is what this check is
    // most about, even when more flaky messages were given up on); the examples lead with it.
    const byCause = new Map<LostCause, Story[]>();
    for (const story of stories) byCause.set(story.cause, [...(byCause.get(story.cause) ?? []), story]);
    const ranked = SERIOUSNESS.filter((c) => byCause.has(c)).map((c) => [c, byCause.get(c) ?? []] as const);
    const [cause] = ranked[0] ?? ['never-processed'];
    const PHRASE: Record<LostCause, string> = {
      'marked-not-done': 'marked as processed before the work was done',
      'left-in-queue': 'still in the queue when the run ended',
      'not-taken-over': "in a killed copy's share nobody took over",
      stalled: 'sent after your program stopped taking messages',
      'program-died': 'after your program died',
      'lost-at-kill': 'taken by your program before it was killed',
      'dead-lettered': 'dead-lettered though they could have succeeded',
      rejected: 'refused by the service as malformed',
      'gave-up': 'given up after failed attempts',
      'missed-first': 'missed before your program was listening',
      'never-processed': 'never processed',
      unreadable: 'unreadable',
      'nothing-arrived': 'nothing arrived',
    };
    const breakdown = ranked.length > 1 ? `: ${ranked.map(([c, s]) => `${s.length} ${PHRASE[c]}`).join(', ')}` : '';
    const WHY: Record<LostCause, string> = {
      'marked-not-done': ', marked as processed before their work was done',
      'left-in-queue': ', still in the queue when the run ended',
      'not-taken-over': `: the killed copy's share, which nobody took over after the kill`,
      stalled: ': your program stopped taking messages while it was still running',
      'program-died': ': your program died and nothing processed them',
      'lost-at-kill': `, all taken by your program before it was killed`,
      'dead-lettered': ', dead-lettered though they could have succeeded',
      rejected: ', every call for them refused by the service as malformed',
      'gave-up': ', given up after failed attempts',
      'missed-first': `: the first ${firstDelivered} sent, before your program was listening`,
      'never-processed': '',
      unreadable: '',
      'nothing-arrived': '',
    };
    return {
      title,
      status: 'fail',
      expected,
      observed: `${what}${ranked.length === 1 ? WHY[cause] : breakdown}`,
      examples: firstFew(ranked.flatMap(([, s]) => s).map((s) => s.text)),
      cause,
    };
  },
};
