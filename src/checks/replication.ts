/**
 * Checks of a producer on a replicated topic (weeks 4-5): the lab POSTs payment events one at
 * a time to the learner's program, which publishes each to a topic it created on the 3-node
 * cluster; both followers of the partition are paused and its leader killed mid-stream
 * (workloads/kafka-replication.ts records the history).
 *
 * Definitions:
 * - event: a `produce` of stream "events" (key: its eventId; value: sentAt, oversized). The
 *   oversized event carries a receipt larger than the topic accepts: Kafka refuses it.
 * - answer: an `observe` of stream "answers" (key: the eventId); acknowledged = outcome ok
 *   (a 2xx). Its time is the operation's t (ms into the run); its event's is the produce's t.
 * - topic settings: the `observe` of stream "topic" (exists, partitions, replicationFactor,
 *   minInsyncReplicas) the lab read once the program was ready. A topic that is not right
 *   (missing, more than 1 partition, RF below 3, min.insync.replicas below 2) gets no faults:
 *   the checks of what the faults show cannot judge that run (unknown), the topic's check
 *   fails.
 * - record: a `consume` of stream "records": one record read back from the topic after the
 *   cluster healed (key: the eventId in its value). Written: an event with a record.
 * - the pause: from the later `start` of the pause-broker-node faults (both followers stopped)
 *   to their first `heal`; the kill: the `start` of kill-broker-node (the leader SIGKILLed).
 * - acknowledged alone: an event sent more than `graceMs` after the pause began (SIGSTOP takes
 *   a moment to stop every thread of a node) and acknowledged before the kill.
 *   Nothing else than the leader could have had it: with acks=all and two replicas required,
 *   Kafka cannot acknowledge it then. Lost: acknowledged alone and not written; early:
 *   acknowledged alone and written (it reached Kafka after its answer).
 * - unawaited: early events, or lost events beside the refused (oversized) event answered 200.
 * - the failover: from the first pause's start until `failoverMs` after the followers woke (the
 *   new leader is elected and found by then); an event waiting for its answer at any moment of
 *   it (sent before its end, answered or given up after its start) may wait that long for an
 *   acknowledgement.
 */
import type { History, Operation } from '../runner/history.js';
import { type CheckDefinition, countOf, firstFew, num } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const valueOf = (op: Operation): Record<string, unknown> => (isObject(op.value) ? op.value : {});

interface Fault {
  fault: string;
  phase: string;
  t: number;
}

function faults(history: History): Fault[] {
  return history
    .filter((op) => op.kind === 'fault')
    .map((op) => ({ fault: String(valueOf(op).fault ?? ''), phase: String(valueOf(op).phase ?? ''), t: op.t }));
}

/** When both followers were stopped, when they woke, when the leader was killed (ms into the run). */
export function faultTimes(history: History): { firstPausedAt?: number; pausedAt?: number; wokeAt?: number; killedAt?: number } {
  const all = faults(history);
  const starts = all.filter((f) => f.fault === 'pause-broker-node' && f.phase === 'start').map((f) => f.t);
  const heals = all.filter((f) => f.fault === 'pause-broker-node' && f.phase === 'heal').map((f) => f.t);
  const kill = all.find((f) => f.fault === 'kill-broker-node' && f.phase === 'start');
  return {
    ...(starts.length > 0 ? { firstPausedAt: Math.min(...starts), pausedAt: Math.max(...starts) } : {}),
    ...(heals.length > 0 ? { wokeAt: Math.min(...heals) } : {}),
    ...(kill ? { killedAt: kill.t } : {}),
  };
}

interface Sent {
  eventId: string;
  t: number;
  oversized: boolean;
}

function sentEvents(history: History): Map<string, Sent> {
  const sent = new Map<string, Sent>();
  for (const op of history) {
    if (op.kind === 'produce' && op.stream === 'events' && op.key !== undefined) sent.set(op.key, { eventId: op.key, t: op.t, oversized: valueOf(op).oversized === true });
  }
  return sent;
}

/** The topic as the lab read it at /health (the run's topic name), or undefined. */
const topicOf = (history: History) => history.find((o) => o.kind === 'observe' && o.stream === 'topic');
/** No node was paused: the topic was not right, so the run had no faults to show anything. */
const noFaults = (history: History) => faultTimes(history).pausedAt === undefined && topicOf(history) !== undefined;
const NO_FAULTS = 'no faults this run: the lab pauses and kills nodes only for a topic that can keep a write through them (see topic-replicated)';

const answersOf = (history: History) => history.filter((op) => op.kind === 'observe' && op.stream === 'answers' && op.key !== undefined);
const writtenIds = (history: History) => new Set(history.filter((op) => op.kind === 'consume' && op.stream === 'records' && op.key !== undefined).map((op) => op.key as string));

// --- topic-replicated --------------------------------------------------------------------

export const TOPIC_CAUSES = {
  'replication-factor': 'The topic keeps fewer than three copies of each write: when the broker holding the only (or one of two) copies dies, the partition has no leader, or one copy is left. Create it with replication factor 3.',
  'min-insync-replicas': 'The topic lets a write count with one copy (min.insync.replicas 1, which is also Kafka\'s default when the topic sets none): acks=all then means "whoever is in sync", which can be the leader alone. Set min.insync.replicas=2 on the topic, so an acknowledged write is on two brokers.',
  partitions: 'The topic has more than one partition: the lab stops the followers and kills the leader of partition 0, so events keyed to other partitions would not meet the failover. Create it with 1 partition, as the task says.',
} as const;

export const topicReplicated: CheckDefinition<Record<string, never>> = {
  name: 'topic-replicated',
  causes: TOPIC_CAUSES,
  parseParams: () => ({}),
  run(history) {
    const title = 'The topic keeps every write on at least two brokers';
    const expected = 'the events topic exists with 1 partition, replication factor 3 and min.insync.replicas 2';
    const op = topicOf(history);
    if (!op) return { title, status: 'unknown', expected, observed: 'the lab did not get to read the topic (the run ended before)', examples: [] };
    const v = valueOf(op);
    const name = typeof v.name === 'string' ? v.name : `named in EVENTS_TOPIC (…${op.key ?? ''})`;
    if (v.exists !== true) {
      return { title, status: 'fail', expected, observed: `the topic ${name} did not exist once your program answered /health`, examples: [], hint: 'Create the topic in EVENTS_TOPIC at start, before answering GET /health (not on the first event).' };
    }
    const rf = typeof v.replicationFactor === 'number' ? v.replicationFactor : 0;
    const minIsr = typeof v.minInsyncReplicas === 'number' ? v.minInsyncReplicas : undefined;
    const partitions = typeof v.partitions === 'number' ? v.partitions : 1;
    const observed = `the topic has ${partitions === 1 ? '1 partition' : `${partitions} partitions`}, replication factor ${rf} and min.insync.replicas ${minIsr ?? 'unknown'}`;
    if (rf < 3) return { title, status: 'fail', expected, observed, examples: [], cause: 'replication-factor' };
    if (minIsr === undefined || minIsr < 2) return { title, status: 'fail', expected, observed, examples: [], cause: 'min-insync-replicas' };
    if (partitions !== 1) return { title, status: 'fail', expected, observed, examples: [], cause: 'partitions' };
    return { title, status: 'pass', expected, observed, examples: [] };
  },
};

// --- acknowledged-events-kept ------------------------------------------------------------

export const KEPT_CAUSES = {
  'lost-at-failover':
    'Your program answered 200 for events while both followers were stopped, and those events are gone: the leader acknowledged them alone (acks=1 or 0), then died, and the new leader never had them. Send with acks=all (-1): the acknowledgement then waits until min.insync.replicas brokers have the event.',
  'answered-before-replicated':
    'Your program answered 200 for events while both followers were stopped, when Kafka could not have acknowledged them yet (some reached the topic only later), or answered 200 both for the event Kafka refused and for events that never arrived: its answer does not wait for the send (a send not awaited). Had your program died meanwhile, every event still in its producer was lost. Await the send before answering.',
  'refused-answered-ok':
    'Your program answered 200 for an event Kafka refused (the one with a receipt larger than the topic accepts): a send error was caught and treated as success. Let publish throw (or answer 5xx) when the send fails.',
  'lost-after-giving-up':
    'Your program answered 200 for events that are not in the topic, sent after its producer gave up on a send during the failover. An idempotent producer numbers its sends; one that gave up can lose its place in that numbering (kafkajs does), and the broker then takes the next events for repeats of ones it already has: it acknowledges them and writes nothing. The cure is not to give up: keep retrying for longer than a failover (kafkajs: new Kafka({ retry: { retries: 10 } }); librdkafka: message.timeout.ms at its default).',
  'never-written': 'Your program answered 200 for events that are not in the topic. Answer 200 only once the send with acks=all resolved, and 5xx when it failed.',
} as const;

export interface KeptParams {
  /** Events sent this soon after the pause began may still have been replicated (ms). */
  graceMs: number;
}

export const acknowledgedEventsKept: CheckDefinition<KeptParams> = {
  name: 'acknowledged-events-kept',
  causes: KEPT_CAUSES,
  parseParams: (raw) => ({ graceMs: num(raw, 'graceMs', 100) }),
  run(history, p) {
    const title = 'No acknowledged event is lost when the leader dies';
    const expected = 'every event answered 200 is in the topic after the failover, and none was answered 200 before Kafka could have acknowledged it';
    if (!history.some((op) => op.kind === 'consume' && op.stream === 'records') && !history.some((op) => op.kind === 'observe' && op.stream === 'topic' && valueOf(op).exists === true)) {
      return { title, status: 'unknown', expected, observed: noFaults(history) ? NO_FAULTS : 'the lab could not read the topic (it did not exist)', examples: [] };
    }
    const sent = sentEvents(history);
    const written = writtenIds(history);
    const { pausedAt, killedAt } = faultTimes(history);
    const alone = (answer: Operation, event: Sent | undefined) => pausedAt !== undefined && killedAt !== undefined && event !== undefined && event.t > pausedAt + p.graceMs && answer.t < killedAt;
    const lost: string[] = [];
    const early: string[] = [];
    const refused: string[] = [];
    const missing: string[] = [];
    let acknowledged = 0;
    for (const answer of answersOf(history)) {
      if (answer.outcome !== 'ok') continue;
      acknowledged++;
      const id = answer.key as string;
      const event = sent.get(id);
      if (event?.oversized) {
        if (!written.has(id)) refused.push(id);
      } else if (alone(answer, event)) {
        (written.has(id) ? early : lost).push(id);
      } else if (!written.has(id)) missing.push(id);
    }
    const observed = [
      lost.length > 0 ? `${countOf(lost.length, acknowledged, 'acknowledged event')} answered 200 while both followers were stopped are not in the topic` : '',
      early.length > 0 ? `${countOf(early.length, acknowledged, 'acknowledged event')} were answered 200 while both followers were stopped (Kafka could not have acknowledged them then) and written only later` : '',
      refused.length > 0 ? `the event with the oversized receipt (${refused.join(', ')}), which Kafka refuses, was answered 200` : '',
      missing.length > 0 ? `${countOf(missing.length, acknowledged, 'acknowledged event')} are not in the topic` : '',
    ].filter((s) => s !== '');
    const examples = [...firstFew(lost).map((id) => `${id}: answered 200 while both followers were stopped, gone after the leader died`), ...firstFew(early).map((id) => `${id}: answered 200 while both followers were stopped`), ...refused.map((id) => `${id}: Kafka refused it (too large), your program answered 200`), ...firstFew(missing).map((id) => `${id}: answered 200, not in the topic`)];
    if (observed.length === 0 && noFaults(history)) return { title, status: 'unknown', expected, observed: NO_FAULTS, examples: [] };
    if (observed.length === 0) return { title, status: 'pass', expected, observed: `all ${acknowledged} acknowledged events are in the topic`, examples: [] };
    // An answer that does not wait for the send shows as events written after their 200 in
    // the pause, or as the refused event answered 200 beside events lost: an unawaited send
    // retried at the new leader may get through or give up (load decides which), so it can
    // lose events like an acks=1 producer. An acks=1 producer awaits: Kafka's refusal reaches
    // it, and what only the dying leader had is never written later.
    const unawaited = early.length > 0 || (lost.length > 0 && refused.length > 0);
    // Acknowledged, never written, each sent after the producer gave up on an event in the
    // failover: the idempotent producer's numbering went wrong when it gave up.
    const gaveUpAt = firstGaveUpAt(history, sent);
    const afterGivingUp = missing.length > 0 && gaveUpAt !== undefined && missing.every((id) => (sent.get(id)?.t ?? -Infinity) >= gaveUpAt);
    const cause = unawaited ? 'answered-before-replicated' : lost.length > 0 ? 'lost-at-failover' : refused.length > 0 ? 'refused-answered-ok' : afterGivingUp ? 'lost-after-giving-up' : 'never-written';
    return { title, status: 'fail', expected, observed: observed.join('; '), examples, cause };
  },
};

/** When the program first refused (or left unanswered) an event of the failover, or undefined. */
function firstGaveUpAt(history: History, sent: ReadonlyMap<string, Sent>): number | undefined {
  const { firstPausedAt } = faultTimes(history);
  if (firstPausedAt === undefined) return undefined;
  const gaveUp = answersOf(history).find((a) => a.outcome !== 'ok' && a.t >= firstPausedAt && sent.get(a.key as string)?.oversized !== true);
  return gaveUp?.t;
}

// --- events-accepted-through-failover ----------------------------------------------------

export const ACCEPTED_CAUSES = {
  'gave-up-in-failover':
    'Your program refused (or never answered) events sent while the partition changed leader: its producer gave up before the new leader was there. A leader election after a crash takes a few seconds: keep the producer retrying for longer than that (kafkajs: retry.retries 10; librdkafka: message.timeout.ms / delivery.timeout.ms at their defaults), with the idempotent producer so a retry is safe.',
  refused: 'Your program refused events while the cluster was healthy: see its answers and its log.',
} as const;

export interface AcceptedParams {
  /** How long after the followers woke the failover may last (ms). */
  failoverMs: number;
}

export const eventsAcceptedThroughFailover: CheckDefinition<AcceptedParams> = {
  name: 'events-accepted-through-failover',
  causes: ACCEPTED_CAUSES,
  parseParams: (raw) => ({ failoverMs: num(raw, 'failoverMs', 15_000) }),
  run(history, p) {
    const title = 'Events are accepted through the failover';
    const expected = 'every event but the oversized one answered 200 (a send waits for the new leader instead of failing)';
    if (noFaults(history)) return { title, status: 'unknown', expected, observed: NO_FAULTS, examples: [] };
    const sent = sentEvents(history);
    const { firstPausedAt, wokeAt } = faultTimes(history);
    // Waiting for its answer at some moment of the failover: an event sent just before the
    // first follower stopped may wait through all of it.
    const inFailover = (sentAt: number, answeredAt: number) => firstPausedAt !== undefined && answeredAt >= firstPausedAt && sentAt <= (wokeAt ?? firstPausedAt) + p.failoverMs;
    const answers = answersOf(history);
    const failover: string[] = [];
    const other: string[] = [];
    for (const answer of answers) {
      const event = sent.get(answer.key as string);
      if (answer.outcome === 'ok' || event?.oversized) continue;
      const v = valueOf(answer);
      const what = `${answer.key}: ${typeof v.status === 'number' ? `HTTP ${v.status}${typeof v.body === 'string' && v.body !== '' ? ` (${v.body.slice(0, 100)})` : ''}` : String(v.error ?? 'no answer')}`;
      (event !== undefined && inFailover(event.t, answer.t) ? failover : other).push(what);
    }
    const normal = answers.filter((a) => !sent.get(a.key as string)?.oversized).length;
    const refusedCount = failover.length + other.length;
    if (refusedCount === 0) return { title, status: 'pass', expected, observed: `all ${normal} events answered 200`, examples: [] };
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(refusedCount, normal, 'event')} not answered 200 (${failover.length} of them sent during the failover)`,
      examples: firstFew([...failover, ...other]),
      cause: failover.length > 0 ? 'gave-up-in-failover' : 'refused',
    };
  },
};
