/**
 * Checks of an order service on a quorum queue of the 3-node RabbitMQ cluster (week 6): the
 * lab POSTs orders one at a time to the learner's program, which publishes each to a queue it
 * declared and answers 200 once RabbitMQ confirmed it; the same program consumes the queue
 * and calls the lab's fulfilment service for each order. The program is killed mid-call once;
 * later the node leading the queue is stopped, then killed mid-stream
 * (workloads/rabbitmq-quorum-ha.ts records the history).
 *
 * Definitions:
 * - order: a `produce` of stream "orders" (key: its orderId; value: tags, sentAt). Its time
 *   is the operation's t (ms into the run), taken just before the POST.
 * - answer: an `observe` of stream "answers" (key: the orderId); acknowledged = outcome ok (a
 *   2xx). Its time is the operation's t, when the answer arrived.
 * - the queue: the `observe` of stream "queue" the lab read once the program was ready
 *   (exists, type "quorum" or "classic", ackRequired: whether its consumer acks manually).
 * - fulfilment call: a `call` of stream "fulfilment-api" (key: the orderId); fulfilled = an
 *   order with a call answered 200 (outcome ok). A failed call: outcome fail (the service
 *   refused it, 503). A call cut short: outcome info (the program was killed while it was in
 *   flight: the order was in the program's hands).
 * - left: a `consume` of stream "left": a message the lab took from the queue after the
 *   program stopped (key: the orderId in its body). Still queued, not lost.
 * - the pause: from the `start` of pause-broker-node (the node leading the queue SIGSTOPped)
 *   to its `heal` (SIGCONT); the kill: the `start` of kill-broker-node, right after. While
 *   the leader stands still nothing can be confirmed: a quorum queue confirms a message once
 *   a majority of its replicas, the leader among them, wrote it, and the other nodes do not
 *   replace a silent leader before net_ticktime (10 s), longer than the pause.
 * - answered without a confirm: an order sent more than `graceMs` after the pause began and
 *   answered 200 before the node woke (the `heal` is recorded right after the SIGCONT, before
 *   the lab can see any answer the wake let through).
 * - the program's kill: the `start` of kill-learner (SIGKILL while a fulfilment call is held),
 *   its restart the `heal`. An order whose call it cut short and that was never called again
 *   was taken out of the queue before it was done: acked on arrival, or consumed with noAck.
 *   When some orders cut short came back and others did not, an ack covered the others (an
 *   ack with multiple=true for a later order that finished first).
 *   An unfulfilled order whose calls all came before the restart, the last one failed (a
 *   503), was lost with the program (it died before its retry, with the order acked) unless
 *   the program also dropped orders whose call failed after its restart: then it dropped
 *   this one as well (a correct program's unacked order comes back after the restart).
 * - the consumer's ack mode: the `observe` of stream "consumer" (ackRequired), read from the
 *   management API once it listed the program's consumer.
 * - the gap: from the kill of the node to the first answer 200 after it (to any order). A
 *   program that reconnects answered again 0.002 to 1.1 s after the kill (27 runs of the
 *   reference, the alternative and the wrong solutions that reconnect). When the leader was
 *   killed in its pause instead of woken first, RabbitMQ itself held programs up to ~7 s
 *   (a new channel's first publish) and ~13 s (a publish waiting on a surviving node): the
 *   limit (`failoverMs`, 30 s) stays above even those. A program that never reconnects never
 *   answers 200 again, and the lab posts for longer than the limit before it stops.
 */
import type { History, Operation } from '../runner/history.js';
import { type CheckDefinition, countOf, firstFew, num, seconds } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const valueOf = (op: Operation): Record<string, unknown> => (isObject(op.value) ? op.value : {});

/** The fulfilment service's name in the history (the calls' stream). */
const FULFILMENT = 'fulfilment-api';

/** When the leader was stopped and when it was killed, when the program was killed (ms into the run). */
export function faultTimes(history: History): { pausedAt?: number; wokeAt?: number; killedAt?: number; programKilledAt?: number; programRestartedAt?: number } {
  const at = (fault: string, phase: string) => history.find((op) => op.kind === 'fault' && valueOf(op).fault === fault && valueOf(op).phase === phase)?.t;
  const times = { pausedAt: at('pause-broker-node', 'start'), wokeAt: at('pause-broker-node', 'heal'), killedAt: at('kill-broker-node', 'start'), programKilledAt: at('kill-learner', 'start'), programRestartedAt: at('kill-learner', 'heal') };
  return Object.fromEntries(Object.entries(times).filter(([, t]) => t !== undefined));
}

const sentAt = (history: History) => new Map(history.filter((op) => op.kind === 'produce' && op.stream === 'orders' && op.key !== undefined).map((op) => [op.key as string, op.t]));
const answersOf = (history: History) => history.filter((op) => op.kind === 'observe' && op.stream === 'answers' && op.key !== undefined);
const callsOf = (history: History) => history.filter((op) => op.kind === 'call' && op.stream === FULFILMENT && op.key !== undefined);
const leftIds = (history: History) => new Set(history.filter((op) => op.kind === 'consume' && op.stream === 'left' && op.key !== undefined).map((op) => op.key as string));
const queueOf = (history: History) => history.find((op) => op.kind === 'observe' && op.stream === 'queue');

/** Each order's fulfilment calls, by outcome, and when the last one ended. */
function callOutcomes(history: History): Map<string, { ok: number; fail: number; cut: number; last: number }> {
  const calls = new Map<string, { ok: number; fail: number; cut: number; last: number }>();
  for (const op of callsOf(history)) {
    const c = calls.get(op.key as string) ?? { ok: 0, fail: 0, cut: 0, last: 0 };
    if (op.outcome === 'ok') c.ok++;
    else if (op.outcome === 'fail') c.fail++;
    else c.cut++;
    c.last = Math.max(c.last, op.t);
    calls.set(op.key as string, c);
  }
  return calls;
}

// --- quorum-queue --------------------------------------------------------------------------

export const QUORUM_CAUSES = {
  'classic-queue':
    'Your queue is a classic queue: it lives on the one node that declared it, so when that node dies the queue and what is in it are gone until the node is back. Declare it as a quorum queue (durable, with the argument x-queue-type: quorum): it is replicated to all three nodes, and the other two elect a new leader when its node dies.',
} as const;

export const quorumQueue: CheckDefinition<Record<string, never>> = {
  name: 'quorum-queue',
  causes: QUORUM_CAUSES,
  parseParams: () => ({}),
  run(history) {
    const title = 'The orders queue is a quorum queue';
    const expected = 'ORDERS_QUEUE exists, durable, of type quorum (x-queue-type: quorum), replicated on the three nodes';
    const op = queueOf(history);
    if (!op) return { title, status: 'unknown', expected, observed: 'the lab did not get to read the queue (the run ended before)', examples: [] };
    const v = valueOf(op);
    if (v.exists !== true) {
      return { title, status: 'fail', expected, observed: `the queue ${String(v.queue ?? '')} did not exist once your program answered /health`, examples: [], hint: 'Declare the queue in ORDERS_QUEUE at start, before answering GET /health.' };
    }
    const observed = `the queue is a ${String(v.type)} queue${v.durable === true ? '' : ', not durable'}`;
    if (v.type !== 'quorum') return { title, status: 'fail', expected, observed, examples: [], cause: 'classic-queue' };
    return { title, status: 'pass', expected, observed, examples: [] };
  },
};

// --- acknowledged-orders-fulfilled ------------------------------------------------------

export const FULFILLED_CAUSES = {
  'answered-without-confirm':
    'Your program answered 200 for orders while the node leading the queue was stopped, when RabbitMQ could not have confirmed them: it answered without waiting for the publisher confirm (no confirm channel, or the confirm not awaited). Had the node died before it woke, they were lost. Publish on a confirm channel and answer 200 only once the confirm (ack) for that message came back; 5xx on a nack or a closed channel.',
  'dropped-after-failed-call':
    'Your consumer acked orders whose fulfilment call had failed (the service answered 503: busy, try again) and never tried them again: they are gone. Ack only after a 200; after a failure, nack with requeue (or retry the call) so the order is delivered again.',
  'lost-with-the-program':
    'Orders your program had taken from the queue and was fulfilling when it was killed never came back: RabbitMQ had already been told they were done. See the consumer-acks check.',
  'left-in-queue':
    'Orders answered 200 were still in the queue at the end, never fulfilled: your consumer stopped consuming (often: its connection died with its node and it never reconnected, or it never consumed at all). Consume ORDERS_QUEUE for as long as the program runs, and reconnect (to another node of RABBITMQ_URLS) when the connection closes.',
  'never-fulfilled': 'Orders answered 200 were never fulfilled and are not in the queue. Publish every order you answered 200 for, consume the queue, and ack each order only after its fulfilment call succeeded.',
} as const;

export interface FulfilledParams {
  /** Orders sent this soon after the pause began may still have been confirmed (ms). */
  graceMs: number;
}

export const acknowledgedOrdersFulfilled: CheckDefinition<FulfilledParams> = {
  name: 'acknowledged-orders-fulfilled',
  causes: FULFILLED_CAUSES,
  parseParams: (raw) => ({ graceMs: num(raw, 'graceMs', 100) }),
  run(history, p) {
    const title = 'Every order answered 200 is fulfilled';
    const expected = 'every order answered 200 is fulfilled (a call answered 200), and none was answered 200 before RabbitMQ could have confirmed it';
    const sent = sentAt(history);
    const calls = callOutcomes(history);
    const left = leftIds(history);
    const { pausedAt, wokeAt, programKilledAt, programRestartedAt } = faultTimes(history);
    /** Called only by the program that was killed: it had the order when it died. */
    const inKilledHands = (c: { last: number }) => programKilledAt !== undefined && c.last <= (programRestartedAt ?? Number.POSITIVE_INFINITY);
    const unconfirmable = (answer: Operation) => {
      const t = sent.get(answer.key as string);
      return pausedAt !== undefined && wokeAt !== undefined && t !== undefined && t > pausedAt + p.graceMs && answer.t < wokeAt;
    };
    const early: string[] = [];
    const dropped: string[] = [];
    const withProgram: string[] = [];
    const queued: string[] = [];
    const never: string[] = [];
    /** Failed, then the program was killed: dropped or lost with it, decided below. */
    const failedBeforeKill: string[] = [];
    let acknowledged = 0;
    for (const answer of answersOf(history)) {
      if (answer.outcome !== 'ok') continue;
      acknowledged++;
      const id = answer.key as string;
      if (unconfirmable(answer)) {
        early.push(id);
        continue;
      }
      const c = calls.get(id);
      if (c && c.ok > 0) continue;
      if (left.has(id)) queued.push(id);
      else if (c && c.cut > 0) withProgram.push(id);
      else if (c && c.fail > 0 && inKilledHands(c)) failedBeforeKill.push(id);
      else if (c && inKilledHands(c)) withProgram.push(id);
      else if (c && c.fail > 0) dropped.push(id);
      else never.push(id);
    }
    // A program seen dropping failed orders after its restart dropped those before it too.
    (dropped.length > 0 ? dropped : withProgram).push(...failedBeforeKill);
    const some = (ids: string[]) => `${countOf(ids.length, acknowledged, 'order')} answered 200`;
    const observed = [
      early.length > 0 ? `${some(early)} were answered while the node leading the queue was stopped (no confirm was possible then)` : '',
      dropped.length > 0 ? `${some(dropped)} had a failed fulfilment call and were never called again` : '',
      withProgram.length > 0 ? `${some(withProgram)} were being fulfilled when your program was killed and never came back` : '',
      queued.length > 0 ? `${some(queued)} were still in the queue at the end` : '',
      never.length > 0 ? `${some(never)} were never fulfilled and are not in the queue` : '',
    ].filter((s) => s !== '');
    if (observed.length === 0) return { title, status: 'pass', expected, observed: `all ${acknowledged} orders answered 200 were fulfilled`, examples: [] };
    const examples = [
      ...firstFew(early).map((id) => `${id}: answered 200 while the leader was stopped`),
      ...firstFew(dropped).map((id) => `${id}: its call failed (503), never called again`),
      ...firstFew(withProgram).map((id) => `${id}: its call was cut short by the kill, never called again`),
      ...firstFew(queued).map((id) => `${id}: answered 200, still in the queue`),
      ...firstFew(never).map((id) => `${id}: answered 200, never fulfilled`),
    ];
    const cause = early.length > 0 ? 'answered-without-confirm' : dropped.length > 0 ? 'dropped-after-failed-call' : withProgram.length > 0 ? 'lost-with-the-program' : queued.length > 0 ? 'left-in-queue' : 'never-fulfilled';
    return { title, status: 'fail', expected, observed: observed.join('; '), examples, cause };
  },
};

// --- orders-accepted-through-failover ------------------------------------------------------

export const ACCEPTED_CAUSES = {
  stalled:
    'Your program stopped answering 200 after the node leading the queue died, for longer than a failover takes: its connection was on that node and it did not connect again. Keep the list of all three nodes (RABBITMQ_URLS); when the connection closes, connect to the next one, open the channels again, and carry on (publishes that failed meanwhile get a 5xx, or are retried on the new connection).',
  refused: 'Your program refused orders while the cluster was healthy: see its answers and its log.',
} as const;

export interface AcceptedParams {
  /** How long after the node's kill the program may go without answering 200 (ms). */
  failoverMs: number;
}

export const ordersAcceptedThroughFailover: CheckDefinition<AcceptedParams> = {
  name: 'orders-accepted-through-failover',
  causes: ACCEPTED_CAUSES,
  parseParams: (raw) => ({ failoverMs: num(raw, 'failoverMs', 30_000) }),
  run(history, p) {
    const title = 'Orders are accepted again soon after the node dies';
    const expected = `an order answered 200 within ${seconds(p.failoverMs)} of the kill of the node leading the queue, and every order answered 200 while the cluster was healthy`;
    const { pausedAt, killedAt, programKilledAt, programRestartedAt } = faultTimes(history);
    const answers = answersOf(history);
    if (killedAt !== undefined) {
      const first = answers.find((a) => a.outcome === 'ok' && a.t > killedAt);
      const gap = first === undefined ? undefined : first.t - killedAt;
      const lastAnswer = answers.at(-1)?.t ?? killedAt;
      if (gap === undefined || gap > p.failoverMs) {
        const refusedAfter = answers.filter((a) => a.t > killedAt && a.outcome !== 'ok');
        return {
          title,
          status: 'fail',
          expected,
          observed: gap === undefined ? `no order was answered 200 in the ${seconds(lastAnswer - killedAt)} after the node died (${refusedAfter.length} refused or unanswered)` : `the first order answered 200 after the node died came ${seconds(gap)} later`,
          examples: firstFew(refusedAfter.map((a) => `${a.key}: ${typeof valueOf(a).status === 'number' ? `HTTP ${String(valueOf(a).status)}` : String(valueOf(a).error ?? 'no answer')}`)),
          cause: 'stalled',
        };
      }
    }
    // Refusals while all was well: answered before the program's kill, or sent after the
    // restarted program's first 200; and both sent and answered before the pause (not while
    // the program was down or starting, nor while the node stood still).
    const sent = sentAt(history);
    const backAt = programRestartedAt === undefined ? undefined : answers.find((a) => a.outcome === 'ok' && a.t > programRestartedAt)?.t;
    const calm = (a: Operation) => {
      const t = sent.get(a.key as string) ?? a.t;
      // An order whose publish the pause caught (sent just before it, answered after) is not calm.
      if (pausedAt !== undefined && (t >= pausedAt || a.t >= pausedAt)) return false;
      if (programKilledAt === undefined || a.t < programKilledAt) return true;
      return backAt !== undefined && t > backAt;
    };
    const refused = answers.filter((a) => a.outcome !== 'ok' && calm(a));
    if (refused.length > 0) {
      return {
        title,
        status: 'fail',
        expected,
        observed: `${countOf(refused.length, answers.length, 'order')} refused while the cluster was healthy`,
        examples: firstFew(refused.map((a) => `${a.key}: ${typeof valueOf(a).status === 'number' ? `HTTP ${String(valueOf(a).status)}` : String(valueOf(a).error ?? 'no answer')}`)),
        cause: 'refused',
      };
    }
    // Without a kill there was no failover to judge: undecided, not a pass (points for a
    // lesson the run never tested). The lab kills a node only for a quorum queue.
    if (killedAt === undefined) return { title, status: 'unknown', expected, observed: `no node was killed this run, so nothing showed whether orders are accepted through a failover (the lab kills the queue's leader only for a durable quorum queue: see quorum-queue); all ${answers.length} orders answered 200 while the cluster was healthy`, examples: [] };
    const first = answers.find((a) => a.outcome === 'ok' && a.t > killedAt) as Operation;
    return { title, status: 'pass', expected, observed: `the first order answered 200 after the node died came ${seconds(first.t - killedAt)} later`, examples: [] };
  },
};

// --- consumer-acks -------------------------------------------------------------------------

export const ACKS_CAUSES = {
  'auto-ack':
    'Your consumer takes orders with noAck (auto_ack=True): RabbitMQ counts an order done the moment it sends it. When your program was killed in the middle of a fulfilment call, that order was gone for good. Consume with noAck: false (pika: auto_ack=False) and ack each order after its call answered 200.',
  'acked-before-call':
    'Your consumer acks each order as it arrives, before its fulfilment call: when your program was killed in the middle of a call, RabbitMQ had already been told that order was done, and never gave it back. Ack after the call answered 200 (and nack with requeue after a failure).',
  'ack-covered-others':
    'An ack of your consumer covered orders still being fulfilled: when your program was killed, some orders it was fulfilling came back and others did not, the earlier ones, acked along with a later order that finished first (an ack with multiple=true while calls finish out of order). Ack each order on its own (channel.ack(message), multiple false) once its own call answered 200.',
} as const;

export const consumerAcks: CheckDefinition<Record<string, never>> = {
  name: 'consumer-acks',
  causes: ACKS_CAUSES,
  parseParams: () => ({}),
  run(history) {
    const title = 'An order in the program\'s hands when it dies comes back';
    const expected = 'every order whose fulfilment call was cut short by the kill of your program is delivered again and fulfilled';
    const { programKilledAt } = faultTimes(history);
    if (programKilledAt === undefined) return { title, status: 'unknown', expected, observed: 'your program was not killed this run (it never called the fulfilment service)', examples: [] };
    const calls = callOutcomes(history);
    const cut = [...calls.entries()].filter(([, c]) => c.cut > 0);
    const lost = cut.filter(([, c]) => c.ok === 0).map(([id]) => id);
    if (cut.length === 0) return { title, status: 'unknown', expected, observed: 'no fulfilment call was in flight when your program was killed', examples: [] };
    if (lost.length === 0) return { title, status: 'pass', expected, observed: `${countOf(cut.length, cut.length, 'order')} cut short by the kill came back and were fulfilled`, examples: [] };
    const consumer = history.find((op) => op.kind === 'observe' && op.stream === 'consumer');
    const ackRequired = consumer ? valueOf(consumer).ackRequired : undefined;
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(lost.length, cut.length, 'order')} whose call was cut short by the kill never came back${ackRequired === false ? ' (the lab saw your consumer take orders with noAck)' : ''}`,
      examples: firstFew(lost.map((id) => `${id}: in your program's hands when it was killed, never delivered again`)),
      cause: ackRequired === false ? 'auto-ack' : lost.length < cut.length ? 'ack-covered-others' : 'acked-before-call',
    };
  },
};
