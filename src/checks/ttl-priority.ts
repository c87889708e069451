/**
 * Priorities and time-to-live on RabbitMQ queues: priority-order, expired-to-dead-letter and
 * message-ttl.
 *
 * Definitions:
 * - ticket: a message the lab produced on stream `produced`; its tags say its kind
 *   (`urgentTag` or not) and its phase (`burstTag`, `staleTag`).
 * - sent at: the produce's time (the broker had confirmed it, so it was in the queue).
 * - taken at: when its first call to the lab's service (`calls`) arrived (`value.arrivedAt`,
 *   else the call's time): the moment the program started working on it.
 * - burst: the tickets tagged `burstTag`, published while the program was busy with one
 *   ticket (the lab held that call until the whole burst was in the queue), normal ones
 *   first, urgent ones last.
 * - overtaken: an urgent burst ticket taken after a normal burst ticket was.
 * - stale: the tickets tagged `staleTag`, published while the program was busy with one ticket;
 *   the lab held every call (that one's, its retries, any other) until every stale ticket had
 *   waited longer than `ttlMs`, so none of them can reach the service in a correct run.
 * - given up on: a ticket whose every call the program abandoned (`callerGaveUp`: a client
 *   timeout) before the answer: no notification was due for it, and if the program requeued
 *   it after its TTL it rightly expired.
 * - expired: a dead-letter operation (`deadLetters`) for the ticket with reason "expired" and
 *   the queue `queueRole` (RabbitMQ's x-death header: why and from where).
 * - taken late: taken more than `ttlMs` after it was sent: it had outlived its TTL.
 * - taken at the edge: taken within TTL_EDGE_MS of its TTL (the broker still handed it out).
 * - a queue's arguments: its x-arguments as declared, from the lab's look at the queue after
 *   the run (observation "amqp-queue-config" with the queue's role).
 * - notification: what the program published for a ticket on the notification queue; the lab
 *   took what was left there after the run (`delivered`, with `value.type`) once every offer
 *   was older than its TTL, then what was in the dead-letter queue.
 *
 * priority-order passes when every burst ticket was taken and no urgent one was overtaken.
 * Causes: no-max-priority (the queue has no x-max-priority, or one below `minPriority`: every
 * message counts as the same priority, and the queue is first in, first out); prefetched (the
 * queue is a priority queue, yet normal tickets were taken first: the program had them
 * already, taken as they arrived, a prefetch above 1, a second consumer or an ack before the
 * work); not-taken (burst tickets never reached the service); program-exited (not taken
 * because the program had exited on its own: checks/exited.ts).
 *
 * expired-to-dead-letter passes when every stale ticket expired (none was handled: an expiry is
 * the only evidence; one taken at the edge is excused, but not all of them) and no other ticket expired, unless given up on.
 * Causes, the first that applies: expired-too-soon (tickets that waited less than `ttlMs`
 * expired: an x-message-ttl too short, seconds for milliseconds), or program-exited when each
 * of them could still have been within its TTL when the program exited on its own; stale
 * tickets the service answered the program for, early or late (a call given up on does not
 * count: the ticket went back to the queue): no-queue-ttl (no x-message-ttl on the
 * queue, or a longer one) or prefetched (the queue has its TTL, but the program had taken the
 * tickets before they could expire in it: a prefetch above 1, a second consumer, or an ack
 * before the work); rejected (dead-lettered
 * for another reason than "expired": the program rejected them itself, timing them by their
 * own timestamps); no-dead-letter-exchange (gone, and the queue has no
 * x-dead-letter-exchange); not-routed (gone, the queue dead-letters to an exchange, but the
 * dead-letter queue is not bound with the key the messages carry).
 *
 * message-ttl passes when, for every ticket the service answered (not given up on), its `keptType` notification
 * was still in the queue and not dead-lettered, and for every urgent one its `expiringType`
 * notification expired from the queue `notifyRole`, never delivered. Causes: ttl-on-queue
 * (kept notifications expired, and the queue has an x-message-ttl: a queue TTL expires every
 * message in it); expires-everything (kept notifications expired, the queue has no TTL: each
 * one carried an expiration); offer-kept (an expiring notification was still there, long past
 * its TTL: published without an expiration); no-dead-letter-exchange / not-routed (expiring
 * notifications are in neither queue, as above); not-published (notifications missing from
 * both queues although the messages could have been routed); nothing-due (no urgent ticket
 * was handled at all: the other checks say why); program-exited (notifications missing, or
 * none due, and the program had exited on its own: never published, whatever the queues).
 */
import type { History, Operation } from '../runner/history.js';
import { observationsOf } from '../runner/observations.js';
import { EXITED_CAUSE, blamedOnExit, exitedEarly } from './exited.js';
import { type CheckDefinition, type CheckResult, type Selector, countOf, firstFew, num, select, selector, str, tagsOf } from './types.js';

/** A queue's arguments after the run, by its role, or undefined if it was never declared. */
function queueArguments(history: History, role: string): Record<string, unknown> | undefined {
  const configs = observationsOf(history, 'amqp-queue-config').filter((op) => op.value.role === role && op.value.exists);
  const last = configs[configs.length - 1];
  return last ? (last.value.arguments ?? {}) : undefined;
}

function numberArgument(args: Record<string, unknown> | undefined, name: string): number | undefined {
  const value = args?.[name];
  return typeof value === 'number' ? value : undefined;
}

/** When each key was first taken: its first call's arrival (with `answeredOnly`, its first
 *  call the program waited for the answer of: not one it gave up on). */
function takenAt(history: History, calls: Selector, answeredOnly = false): Map<string, number> {
  const taken = new Map<string, number>();
  for (const op of select(history, calls)) {
    if (op.key === undefined) continue;
    if (answeredOnly && (op.value as { callerGaveUp?: unknown } | undefined)?.callerGaveUp === true) continue;
    const value = op.value as { arrivedAt?: unknown } | undefined;
    const at = typeof value?.arrivedAt === 'number' ? value.arrivedAt : op.t;
    const before = taken.get(op.key);
    if (before === undefined || at < before) taken.set(op.key, at);
  }
  return taken;
}

/** Keys whose every call the program gave up on (a client timeout: `callerGaveUp`): it never
 *  got an answer, so it owed no notification, and a ticket it then requeued past its TTL
 *  rightly expired. */
function gaveUpOnly(history: History, calls: Selector): Set<string> {
  const answered = new Set<string>();
  const gaveUp = new Set<string>();
  for (const op of select(history, calls)) {
    if (op.key === undefined) continue;
    if ((op.value as { callerGaveUp?: unknown } | undefined)?.callerGaveUp === true) gaveUp.add(op.key);
    else answered.add(op.key);
  }
  return new Set([...gaveUp].filter((key) => !answered.has(key)));
}

function produced(history: History, stream: string): Operation[] {
  return history.filter((op) => op.kind === 'produce' && op.outcome === 'ok' && op.stream === stream && op.key !== undefined);
}

interface DeadLetter {
  key: string;
  type: string;
  reason: string | null;
  queue: string | null;
}

function deadLettersOf(history: History, deadLetters: Selector): DeadLetter[] {
  return select(history, deadLetters)
    .filter((op) => op.key !== undefined)
    .map((op) => {
      const v = (op.value ?? {}) as { type?: unknown; reason?: unknown; queue?: unknown };
      return { key: op.key as string, type: typeof v.type === 'string' ? v.type : 'ticket', reason: typeof v.reason === 'string' ? v.reason : null, queue: typeof v.queue === 'string' ? v.queue : null };
    });
}

/** Why messages meant for the dead-letter queue are in neither queue, from the queue's arguments. */
function vanishedCause(args: Record<string, unknown> | undefined): 'no-dead-letter-exchange' | 'not-routed' {
  return typeof args?.['x-dead-letter-exchange'] === 'string' ? 'not-routed' : 'no-dead-letter-exchange';
}

/** How the dead-letter queue (role "dead-letter") is bound, for a message about what it did not get. */
function deadLetterBindings(history: History): string {
  const configs = observationsOf(history, 'amqp-queue-config').filter((op) => op.value.role === 'dead-letter');
  const config = configs[configs.length - 1]?.value;
  if (!config?.exists) return 'the dead-letter queue does not exist';
  const bindings = config.bindings ?? [];
  if (bindings.length === 0) return 'the dead-letter queue is bound to no exchange';
  return `the dead-letter queue is bound with ${bindings.map((b) => `"${b.key}" to "${b.exchange}"`).join(', ')}`;
}

const ms = (n: number) => `${Math.round(n)} ms`;

/** How close to its TTL a message may be taken and still count as taken in time: the broker
 *  decides at the millisecond, the lab's clock is a few ms off it, and a program that frees
 *  itself just then (a retry after a timeout) gets one. Far below the lab's hold margin, so a
 *  message taken late by a queue without TTL is never excused. */
export const TTL_EDGE_MS = 250;

// --- priority-order -------------------------------------------------------------------------

export interface PriorityOrderParams {
  subject: string;
  produced: string;
  calls: Selector;
  urgentTag: string;
  burstTag: string;
  queueRole: string;
  /** The highest priority the lab publishes with: x-max-priority must be at least this. */
  minPriority: number;
}

export const PRIORITY_CAUSES = {
  'no-max-priority': 'The queue is not a priority queue: without x-max-priority RabbitMQ ignores each message\'s priority and hands them out first in, first out. Declare the queue with the argument x-max-priority (at least the highest priority you publish with). A queue\'s arguments are fixed when it is created.',
  prefetched: 'The queue sorts by priority, but your program had already taken the normal messages as they arrived, before the urgent ones came: a priority only reorders what is still waiting in the queue. Use one consumer on one channel with prefetch 1 (a second consumer or channel takes the next message while the first is busy), and ack each message only once its work is done.',
  'not-taken': 'Some of the burst never reached the service: make sure every message is processed (and that none expires while it waits its turn).',
  ...EXITED_CAUSE,
} as const;

export const priorityOrder: CheckDefinition<PriorityOrderParams> = {
  name: 'priority-order',
  causes: PRIORITY_CAUSES,
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    produced: str(raw, 'produced'),
    calls: selector(raw, 'calls'),
    urgentTag: str(raw, 'urgentTag', 'urgent'),
    burstTag: str(raw, 'burstTag'),
    queueRole: str(raw, 'queueRole'),
    minPriority: num(raw, 'minPriority'),
  }),
  run(history, p) {
    const title = `Urgent ${p.subject}s go first under a backlog`;
    const burst = produced(history, p.produced).filter((op) => tagsOf(op).includes(p.burstTag));
    const expected = `while your program is busy, the urgent ${p.subject}s that queue up are taken before every normal one that waited with them`;
    const urgentCount = burst.filter((op) => tagsOf(op).includes(p.urgentTag)).length;
    if (burst.length === 0) return { title, status: 'unknown', expected, observed: `the lab could not publish its burst of ${p.subject}s`, examples: [] };
    const taken = takenAt(history, p.calls);
    const missing = burst.filter((op) => !taken.has(op.key as string));
    if (missing.length > 0) {
      const result: Omit<CheckResult, 'name' | 'weight'> = {
        title,
        status: 'fail',
        expected,
        observed: `${missing.length} of ${burst.length} ${p.subject}s of the burst never reached the agent API`,
        examples: firstFew(missing).map((op) => `${op.key} (${tagsOf(op).includes(p.urgentTag) ? 'urgent' : 'normal'}) was never taken`),
        cause: 'not-taken',
      };
      // Never taken because nothing took anything after the program died.
      const exit = exitedEarly(history);
      return exit ? blamedOnExit(result, exit) : result;
    }
    const order = [...burst].sort((a, b) => (taken.get(a.key as string) as number) - (taken.get(b.key as string) as number));
    const firstNormal = order.find((op) => !tagsOf(op).includes(p.urgentTag));
    const firstNormalAt = firstNormal ? (taken.get(firstNormal.key as string) as number) : Number.POSITIVE_INFINITY;
    const overtaken = order.filter((op) => tagsOf(op).includes(p.urgentTag) && (taken.get(op.key as string) as number) > firstNormalAt);
    const sequence = order.map((op) => (tagsOf(op).includes(p.urgentTag) ? 'U' : 'n')).join(' ');
    if (overtaken.length === 0) {
      return { title, status: 'pass', expected, observed: `taken in this order (U urgent, n normal): ${sequence}`, examples: [] };
    }
    const maxPriority = numberArgument(queueArguments(history, p.queueRole), 'x-max-priority');
    const cause = maxPriority === undefined || maxPriority < p.minPriority ? 'no-max-priority' : 'prefetched';
    const normalsFirst = order.filter((op) => !tagsOf(op).includes(p.urgentTag) && (taken.get(op.key as string) as number) < (taken.get(overtaken[overtaken.length - 1]?.key as string) as number)).length;
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(overtaken.length, urgentCount, `urgent ${p.subject}`)} waited behind normal ones: taken in this order (U urgent, n normal): ${sequence}; the queue's x-max-priority is ${maxPriority === undefined ? 'not set' : maxPriority}`,
      examples: [
        ...firstFew(overtaken, 3).map((op) => `urgent ${op.key} was taken ${ms((taken.get(op.key as string) as number) - firstNormalAt)} after normal ${firstNormal?.key}, which was published before it`),
        `${normalsFirst} normal ${p.subject}${normalsFirst === 1 ? ' was' : 's were'} taken before the last urgent one`,
      ],
      cause,
    };
  },
};

// --- expired-to-dead-letter -----------------------------------------------------------------

export interface ExpiredParams {
  subject: string;
  produced: string;
  calls: Selector;
  deadLetters: Selector;
  staleTag: string;
  queueRole: string;
  ttlMs: number;
}

export const EXPIRED_CAUSES = {
  'expired-too-soon': 'Messages expired that had waited less than the TTL asked for: x-message-ttl is in milliseconds.',
  'no-queue-ttl': 'Messages were processed long after their time to live: the queue has no x-message-ttl (or a longer one), so they waited as long as it took. Declare the queue with x-message-ttl and RabbitMQ expires them itself.',
  prefetched: 'The queue has its TTL, but your program had taken the messages out of it while it was still busy with another one, before they could expire there: a message expires only while it waits in the queue. Use one consumer on one channel with prefetch 1, and ack each message only after its work.',
  rejected: 'Messages reached the dead-letter queue, but rejected, not expired: your program judged their age itself. Let RabbitMQ expire them with the queue\'s x-message-ttl; x-death then says "expired", and they never reach your program at all.',
  'no-dead-letter-exchange': 'Expired messages vanished: a queue without x-dead-letter-exchange drops what expires. Declare the queue with x-dead-letter-exchange (and x-dead-letter-routing-key).',
  'not-routed': 'Expired messages were dead-lettered to your exchange, but no queue took them: the dead-letter queue\'s binding key differs from the key they carry. Without x-dead-letter-routing-key they keep their original routing key (the queue\'s name, for a publish to the default exchange): set x-dead-letter-routing-key to the key the dead-letter queue is bound with.',
  ...EXITED_CAUSE,
} as const;

export const expiredToDeadLetter: CheckDefinition<ExpiredParams> = {
  name: 'expired-to-dead-letter',
  causes: EXPIRED_CAUSES,
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    produced: str(raw, 'produced'),
    calls: selector(raw, 'calls'),
    deadLetters: selector(raw, 'deadLetters'),
    staleTag: str(raw, 'staleTag'),
    queueRole: str(raw, 'queueRole'),
    ttlMs: num(raw, 'ttlMs'),
  }),
  run(history, p) {
    const title = `${p.subject[0]?.toUpperCase()}${p.subject.slice(1)}s that outlive their TTL are dead-lettered as expired`;
    const expected = `every ${p.subject} that waits in the queue longer than ${ms(p.ttlMs)} ends in the dead-letter queue with x-death reason "expired" from the ${p.queueRole} queue, is never processed, and none that waited less expires`;
    const all = produced(history, p.produced);
    const stale = all.filter((op) => tagsOf(op).includes(p.staleTag));
    if (stale.length === 0) return { title, status: 'unknown', expected, observed: `the lab could not publish the ${p.subject}s meant to expire`, examples: [] };
    // Only calls the program waited out count: one it gave up on (a client timeout) left the
    // ticket unhandled, to be requeued, and expire if it was past its TTL by then.
    const taken = takenAt(history, p.calls, true);
    const dead = deadLettersOf(history, p.deadLetters).filter((d) => d.type === 'ticket' || d.queue === p.queueRole);
    const expiredKeys = new Set(dead.filter((d) => d.reason === 'expired' && d.queue === p.queueRole).map((d) => d.key));
    const args = queueArguments(history, p.queueRole);
    const ttl = numberArgument(args, 'x-message-ttl');
    const fail = (observed: string, examples: string[], cause: keyof typeof EXPIRED_CAUSES) => ({ title, status: 'fail' as const, expected, observed, examples, cause });
    const exit = exitedEarly(history);

    // Not one the program took, timed out on and requeued after its TTL: that one expired rightly.
    const timedOut = gaveUpOnly(history, p.calls);
    const tooSoon = all.filter((op) => !tagsOf(op).includes(p.staleTag) && expiredKeys.has(op.key as string) && !timedOut.has(op.key as string));
    if (tooSoon.length > 0) {
      const result = fail(
        `${tooSoon.length} of ${all.length - stale.length} ${p.subject}s meant to be processed expired instead; the queue's x-message-ttl is ${ttl === undefined ? 'not set' : ttl}`,
        firstFew(tooSoon).map((op) => `${op.key} expired, though it was meant to reach an agent well within ${ms(p.ttlMs)}`),
        'expired-too-soon',
      );
      // Expired because nobody consumed them any more: each could still have been waiting
      // within its TTL when the program died.
      return exit && tooSoon.every((op) => op.t + p.ttlMs > exit.t) ? blamedOnExit(result, exit) : result;
    }
    // The lab kept every agent call of the stale phase busy until they had all outlived the
    // TTL: a stale ticket the program got an answer for was not left waiting in the queue.
    // Taken late: it waited, but the queue did not expire it; taken early: the program took it
    // while busy with another (a second consumer, a larger prefetch, an ack on arrival).
    // Taken right at its TTL's edge: the broker still handed it out (a program whose retry
    // freed it just then); neither a mistake nor evidence.
    const atEdge = (op: Operation) => taken.has(op.key as string) && Math.abs((taken.get(op.key as string) as number) - op.t - p.ttlMs) <= TTL_EDGE_MS;
    const reached = stale.filter((op) => taken.has(op.key as string) && !atEdge(op));
    if (reached.length > 0) {
      const noTtl = ttl === undefined || ttl > p.ttlMs;
      const late = reached.filter((op) => (taken.get(op.key as string) as number) - op.t > p.ttlMs);
      return fail(
        late.length > 0
          ? `${late.length} of ${stale.length} ${p.subject}s that waited past the TTL reached the agent API instead of expiring; the queue's x-message-ttl is ${ttl === undefined ? 'not set' : ttl}`
          : `${reached.length} of ${stale.length} ${p.subject}s reached the agent API while it was still busy with another ${p.subject}, before they could wait out their TTL in the queue; the queue's x-message-ttl is ${ttl === undefined ? 'not set' : ttl}`,
        firstFew(late.length > 0 ? late : reached).map((op) => `${op.key} was taken ${ms((taken.get(op.key as string) as number) - op.t)} after it was published (TTL ${ms(p.ttlMs)})`),
        noTtl ? 'no-queue-ttl' : 'prefetched',
      );
    }
    const notExpired = stale.filter((op) => !expiredKeys.has(op.key as string) && !taken.has(op.key as string));
    const edge = stale.filter(atEdge);
    if (notExpired.length === 0 && edge.length < stale.length) {
      const observed =
        edge.length === 0
          ? `all ${stale.length} ${p.subject}s that waited past the TTL were dead-lettered with reason "expired", none was processed`
          : `${stale.length - edge.length} of ${stale.length} ${p.subject}s that waited past the TTL were dead-lettered with reason "expired"; ${edge.map((op) => op.key).join(', ')} reached your program right at its TTL (${ms((taken.get(edge[0]?.key as string) as number) - (edge[0]?.t ?? 0))}), still in time`;
      return { title, status: 'pass', expected, observed, examples: [] };
    }
    if (notExpired.length === 0) {
      return { title, status: 'unknown', expected, observed: `every ${p.subject} meant to expire reached your program right at its TTL, so none could show what the queue does with one that outlives it`, examples: firstFew(edge).map((op) => `${op.key} was taken ${ms((taken.get(op.key as string) as number) - op.t)} after it was published`) };
    }
    const rejected = notExpired.filter((op) => dead.some((d) => d.key === op.key));
    if (rejected.length > 0) {
      const reasons = [...new Set(rejected.flatMap((op) => dead.filter((d) => d.key === op.key).map((d) => d.reason ?? 'none')))];
      return fail(
        `${rejected.length} of ${stale.length} ${p.subject}s that waited past the TTL reached the dead-letter queue with reason ${reasons.map((r) => `"${r}"`).join(', ')}, not "expired"`,
        firstFew(rejected).map((op) => `${op.key}: x-death reason ${dead.find((d) => d.key === op.key)?.reason ?? 'missing'} (queue ${dead.find((d) => d.key === op.key)?.queue ?? '?'})`),
        'rejected',
      );
    }
    const cause = vanishedCause(args);
    return fail(
      `${notExpired.length} of ${stale.length} ${p.subject}s that waited past the TTL are neither in the dead-letter queue nor processed: ${cause === 'no-dead-letter-exchange' ? 'the queue has no x-dead-letter-exchange' : `the queue dead-letters to "${String(args?.['x-dead-letter-exchange'])}" with routing key ${typeof args?.['x-dead-letter-routing-key'] === 'string' ? `"${String(args['x-dead-letter-routing-key'])}"` : 'not set (so each keeps its own)'}; ${deadLetterBindings(history)}`}`,
      firstFew(notExpired).map((op) => `${op.key} vanished`),
      cause,
    );
  },
};

// --- message-ttl ----------------------------------------------------------------------------

export interface MessageTtlParams {
  subject: string;
  produced: string;
  calls: Selector;
  delivered: Selector;
  deadLetters: Selector;
  urgentTag: string;
  keptType: string;
  expiringType: string;
  notifyRole: string;
  ttlMs: number;
}

export const MESSAGE_TTL_CAUSES = {
  'ttl-on-queue': 'Messages that must stay expired: the queue has an x-message-ttl, which expires every message in it. Put the TTL on the messages that need one (the expiration property), not on the queue.',
  'expires-everything': 'Messages that must stay expired: they were published with an expiration too. Set the expiration only on the messages that are good for a limited time.',
  'offer-kept': 'Messages that were only good for a limited time were still there long after it: publish each of them with the expiration property (a string of milliseconds).',
  'no-dead-letter-exchange': 'Expired messages vanished: the queue has no x-dead-letter-exchange, so RabbitMQ drops what expires. Declare it with x-dead-letter-exchange and x-dead-letter-routing-key.',
  'not-routed': 'Expired messages were dead-lettered to your exchange, but no queue took them: set x-dead-letter-routing-key to the key the dead-letter queue is bound with.',
  'nothing-due': 'No message that calls for a short-lived one was handled at all, so none could be judged: the checks above say why (they expired, or were never taken).',
  'not-published': 'Notifications are missing from both queues: publish one for every message your program handles, as the README says.',
  ...EXITED_CAUSE,
} as const;

/** Causes of message-ttl that say notifications are missing: what a program that died leaves. */
const MISSING_CAUSES = new Set<string>(['no-dead-letter-exchange', 'not-routed', 'not-published']);

export const messageTtl: CheckDefinition<MessageTtlParams> = {
  name: 'message-ttl',
  causes: MESSAGE_TTL_CAUSES,
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    produced: str(raw, 'produced'),
    calls: selector(raw, 'calls'),
    delivered: selector(raw, 'delivered'),
    deadLetters: selector(raw, 'deadLetters'),
    urgentTag: str(raw, 'urgentTag', 'urgent'),
    keptType: str(raw, 'keptType'),
    expiringType: str(raw, 'expiringType'),
    notifyRole: str(raw, 'notifyRole'),
    ttlMs: num(raw, 'ttlMs'),
  }),
  run(history, p) {
    const title = `Only the ${p.expiringType}s expire (a per-message TTL)`;
    const expected = `every ${p.keptType} stays in the ${p.notifyRole} queue until it is fetched; every ${p.expiringType} expires ${ms(p.ttlMs)} after it was published and is dead-lettered with reason "expired"`;
    // Handled: the agent API answered the program (not a call it had given up on).
    const done = new Set(select(history, p.calls, 'ok').filter((op) => (op.value as { callerGaveUp?: unknown } | undefined)?.callerGaveUp !== true).map((op) => op.key as string));
    const handled = produced(history, p.produced).filter((op) => done.has(op.key as string));
    const urgent = handled.filter((op) => tagsOf(op).includes(p.urgentTag));
    if (!produced(history, p.produced).some((op) => tagsOf(op).includes(p.urgentTag))) {
      return { title, status: 'unknown', expected, observed: `the lab could not publish an urgent ${p.subject}, so no ${p.expiringType} could be judged`, examples: [] };
    }
    const exit = exitedEarly(history);
    if (urgent.length === 0) {
      // Not this check's mistake, but nothing here can pass: the checks above say why.
      const result = { title, status: 'fail' as const, expected, observed: `no urgent ${p.subject} reached the agent API, so no ${p.expiringType} was ever due`, examples: [], cause: 'nothing-due' };
      return exit ? blamedOnExit(result, exit) : result;
    }
    const delivered = select(history, p.delivered, 'ok').map((op) => ({ key: op.key as string, type: String((op.value as { type?: unknown } | undefined)?.type ?? '') }));
    const dead = deadLettersOf(history, p.deadLetters).filter((d) => d.queue === p.notifyRole);
    const args = queueArguments(history, p.notifyRole);
    const has = (list: Array<{ key: string; type: string }>, key: string, type: string) => list.some((m) => m.key === key && m.type === type);
    const fail = (observed: string, examples: string[], cause: keyof typeof MESSAGE_TTL_CAUSES) => {
      const result = { title, status: 'fail' as const, expected, observed, examples, cause };
      // Missing notifications of a program that died: never published, whatever the queues say.
      return exit && MISSING_CAUSES.has(cause) ? blamedOnExit(result, exit) : result;
    };

    const keptExpired = handled.filter((op) => has(dead, op.key as string, p.keptType));
    if (keptExpired.length > 0) {
      const ttl = numberArgument(args, 'x-message-ttl');
      return fail(
        `${countOf(keptExpired.length, handled.length, p.keptType)} expired and went to the dead-letter queue; the ${p.notifyRole} queue's x-message-ttl is ${ttl === undefined ? 'not set' : ttl}`,
        firstFew(keptExpired).map((op) => `the ${p.keptType} for ${op.key} expired`),
        ttl === undefined ? 'expires-everything' : 'ttl-on-queue',
      );
    }
    const kept = urgent.filter((op) => has(delivered, op.key as string, p.expiringType));
    if (kept.length > 0) {
      return fail(
        `${countOf(kept.length, urgent.length, p.expiringType)} ${kept.length === 1 ? 'was' : 'were'} still in the ${p.notifyRole} queue, more than ${ms(p.ttlMs)} after ${kept.length === 1 ? 'it was' : 'they were'} published`,
        firstFew(kept).map((op) => `the ${p.expiringType} for ${op.key} never expired`),
        'offer-kept',
      );
    }
    const expired = (key: string) => dead.some((d) => d.key === key && d.type === p.expiringType && d.reason === 'expired');
    const offersGone = urgent.filter((op) => !expired(op.key as string));
    const receiptsGone = handled.filter((op) => !has(delivered, op.key as string, p.keptType));
    if (offersGone.length === 0 && receiptsGone.length === 0) {
      return { title, status: 'pass', expected, observed: `all ${handled.length} ${p.keptType}s were kept, all ${urgent.length} ${p.expiringType}s expired into the dead-letter queue`, examples: [] };
    }
    if (offersGone.length > 0 && receiptsGone.length < handled.length) {
      const cause = vanishedCause(args);
      return fail(
        `${countOf(offersGone.length, urgent.length, p.expiringType)} ${offersGone.length === 1 ? 'is' : 'are'} in neither queue: ${cause === 'no-dead-letter-exchange' ? `the ${p.notifyRole} queue has no x-dead-letter-exchange, so one that expired was dropped without a trace (or it was never published)` : `the ${p.notifyRole} queue dead-letters with routing key ${typeof args?.['x-dead-letter-routing-key'] === 'string' ? `"${String(args['x-dead-letter-routing-key'])}"` : 'not set (so each keeps its own)'}; ${deadLetterBindings(history)}`}`,
        firstFew(offersGone).map((op) => `the ${p.expiringType} for ${op.key} vanished`),
        cause,
      );
    }
    const missing = [...receiptsGone.map((op) => `the ${p.keptType} for ${op.key}`), ...offersGone.map((op) => `the ${p.expiringType} for ${op.key}`)];
    return fail(`${missing.length} notifications for handled ${p.subject}s are missing from both queues`, firstFew(missing).map((m) => `${m} is missing`), 'not-published');
  },
};
