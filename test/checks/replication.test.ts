// topic-replicated, acknowledged-events-kept and events-accepted-through-failover over literal
// histories of the replication exercise (workloads/kafka-replication.ts records them).
import { describe, expect, it } from 'vitest';
import { acknowledgedEventsKept, eventsAcceptedThroughFailover, faultTimes, topicReplicated } from '../../src/checks/replication.js';
import type { History, Operation } from '../../src/runner/history.js';

const topic = (replicationFactor: number, minInsyncReplicas: number | null, exists = true, partitions = 1): Operation => ({ t: 100, process: 'lab', kind: 'observe', outcome: exists ? 'ok' : 'fail', stream: 'topic', key: 'payments', value: { name: 'bl-x1.payments', exists, partitions, replicationFactor, minInsyncReplicas } });
const sent = (id: string, t: number, oversized = false): Operation => ({ t, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'events', key: id, value: { sentAt: t, oversized, event: { eventId: id } } });
const answer = (id: string, t: number, status = 200): Operation => ({ t, process: 'lab', kind: 'observe', outcome: status < 300 ? 'ok' : 'fail', stream: 'answers', key: id, value: { status, answeredAt: t } });
const noAnswer = (id: string, t: number): Operation => ({ t, process: 'lab', kind: 'observe', outcome: 'info', stream: 'answers', key: id, value: { error: 'no answer within 20 s', answeredAt: t } });
const record = (id: string, offset: number): Operation => ({ t: 20_000, process: 'lab', kind: 'consume', outcome: 'ok', stream: 'records', key: id, partition: 0, offset: String(offset), value: { kafkaKey: 'account-01' } });
const fault = (fault: string, phase: string, t: number, node: number): Operation => ({ t, process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault, id: node, broker: 'kafka-cluster', phase, node } });

/** Followers 2 and 3 stopped at 2000/2002, leader 1 killed at 3000, followers woken at 5500. */
const faults = [fault('pause-broker-node', 'start', 2_000, 2), fault('pause-broker-node', 'start', 2_002, 3), fault('kill-broker-node', 'start', 3_000, 1), fault('pause-broker-node', 'heal', 5_500, 2), fault('pause-broker-node', 'heal', 5_501, 3)];

/** A correct run: p1 before the pause, p2 (oversized) refused, p3 sent in the pause and
 *  acknowledged by the new leader, p4 after. */
function correct(): History {
  return [topic(3, 2), sent('p1', 1_000), answer('p1', 1_010), sent('p2', 1_100, true), answer('p2', 1_120, 500), faults[0]!, faults[1]!, sent('p3', 2_200), faults[2]!, faults[3]!, faults[4]!, answer('p3', 9_000), sent('p4', 9_100), answer('p4', 9_110), record('p1', 0), record('p3', 1), record('p4', 2)];
}

describe('faultTimes', () => {
  it('takes the later pause start, the first heal and the kill', () => {
    expect(faultTimes(faults)).toEqual({ firstPausedAt: 2_000, pausedAt: 2_002, wokeAt: 5_500, killedAt: 3_000 });
  });
});

describe('topic-replicated', () => {
  const run = (h: History) => topicReplicated.run(h, {});
  it('passes RF 3 / min.isr 2', () => expect(run([topic(3, 2)]).status).toBe('pass'));
  it('names a replication factor below 3', () => expect(run([topic(1, 2)])).toMatchObject({ status: 'fail', cause: 'replication-factor' }));
  it('names min.insync.replicas 1', () => expect(run([topic(3, 1)])).toMatchObject({ status: 'fail', cause: 'min-insync-replicas' }));
  it('names more than one partition (the faults aim at partition 0)', () => expect(run([topic(3, 2, true, 3)])).toMatchObject({ status: 'fail', cause: 'partitions' }));
  it('fails a missing topic without a cause, naming the run\'s topic', () => {
    const result = run([topic(0, null, false)]);
    expect(result.status).toBe('fail');
    expect(result.cause).toBeUndefined();
    expect(result.observed).toContain('bl-x1.payments');
  });
  it('cannot judge a run that never read it', () => expect(run([]).status).toBe('unknown'));
});

describe('acknowledged-events-kept', () => {
  const run = (h: History) => acknowledgedEventsKept.run(h, { graceMs: 100 });
  it('passes a correct run', () => expect(run(correct()).status).toBe('pass'));
  it('acks=1: events answered in the pause and gone are lost at the failover', () => {
    const h = [...correct().filter((op) => op.key !== 'p3'), sent('p3', 2_200), answer('p3', 2_205), sent('p5', 2_300), answer('p5', 2_305)];
    const result = run(h);
    expect(result).toMatchObject({ status: 'fail', cause: 'lost-at-failover' });
    expect(result.examples[0]).toContain('p3');
  });
  it('an unawaited send: answered in the pause, written later', () => {
    const h = [...correct().filter((op) => !(op.kind === 'observe' && op.key === 'p3')), answer('p3', 2_205)];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'answered-before-replicated' });
  });
  it('an unawaited send that lost some and wrote some later: answered before replicated, not acks=1', () => {
    const h = [...correct().filter((op) => !(op.kind === 'observe' && op.key === 'p3')), answer('p3', 2_205), sent('p5', 2_300), answer('p5', 2_305)];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'answered-before-replicated' });
  });
  it('an unawaited send that lost all it answered in the pause: the refused event answered 200 gives it away', () => {
    const h = [...correct().filter((op) => op.key !== 'p3').map((op) => (op.kind === 'observe' && op.key === 'p2' ? answer('p2', 1_101) : op)), sent('p3', 2_200), answer('p3', 2_201)];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'answered-before-replicated' });
  });
  it('an event sent within the grace after the pause began may have been replicated', () => {
    const h = [...correct().filter((op) => op.key !== 'p3'), sent('p3', 2_050), answer('p3', 2_060), record('p3', 1)];
    expect(run(h).status).toBe('pass');
  });
  it('the oversized event answered 200: a send error treated as success', () => {
    const h = correct().map((op) => (op.kind === 'observe' && op.key === 'p2' ? answer('p2', 1_120) : op));
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'refused-answered-ok' });
  });
  it('an acknowledged event missing outside the pause is never written', () => {
    const h = correct().filter((op) => !(op.kind === 'consume' && op.key === 'p4'));
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'never-written' });
  });
  it('acknowledged, never written, right after the producer gave up in the failover: its numbering went wrong (kafkajs default retries)', () => {
    // p3 refused at 8000 (the producer gave up), p4 sent after it, answered 200, not in the topic.
    const h = correct().filter((op) => !(op.key === 'p3' && (op.kind === 'observe' || op.kind === 'consume')) && !(op.kind === 'consume' && op.key === 'p4'));
    const result = run([...h, answer('p3', 8_000, 500)]);
    expect(result).toMatchObject({ status: 'fail', cause: 'lost-after-giving-up' });
    expect(result.examples).toContain('p4: answered 200, not in the topic');
  });
  it('an event missing that was sent before the give-up is never written, not blamed on it', () => {
    const h = correct().filter((op) => !(op.kind === 'consume' && op.key === 'p1'));
    expect(run([...h, sent('p5', 9_200), answer('p5', 9_300, 500)])).toMatchObject({ status: 'fail', cause: 'never-written' });
  });
});

describe('a run without faults (the topic was not right)', () => {
  const healthy = [topic(3, 1), sent('p1', 1_000), answer('p1', 1_010), sent('p2', 1_100, true), answer('p2', 1_120, 500), sent('p3', 1_200), answer('p3', 1_300, 500), record('p1', 0)];
  it('cannot judge the failover: unknown, not a pass', () => {
    expect(eventsAcceptedThroughFailover.run(healthy, { failoverMs: 15_000 })).toMatchObject({ status: 'unknown' });
    expect(acknowledgedEventsKept.run(healthy, { graceMs: 100 })).toMatchObject({ status: 'unknown' });
  });
  it('still fails what it saw: the refused event answered 200', () => {
    const h = healthy.map((op) => (op.kind === 'observe' && op.key === 'p2' ? answer('p2', 1_120) : op));
    expect(acknowledgedEventsKept.run(h, { graceMs: 100 })).toMatchObject({ status: 'fail', cause: 'refused-answered-ok' });
  });
});

describe('events-accepted-through-failover', () => {
  const run = (h: History) => eventsAcceptedThroughFailover.run(h, { failoverMs: 15_000 });
  it('an event sent just before the followers stopped and refused after the kill gave up in the failover', () => {
    const h = [...correct(), sent('p0', 1_990), answer('p0', 6_775, 500)];
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'gave-up-in-failover' });
  });
  it('passes a correct run (the oversized event may be refused)', () => expect(run(correct()).status).toBe('pass'));
  it('a refusal during the failover: the producer gave up', () => {
    const h = correct().map((op) => (op.kind === 'observe' && op.key === 'p3' ? answer('p3', 4_000, 500) : op));
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'gave-up-in-failover' });
  });
  it('no answer at all during the failover counts too', () => {
    const h = correct().map((op) => (op.kind === 'observe' && op.key === 'p3' ? noAnswer('p3', 22_200) : op));
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'gave-up-in-failover' });
  });
  it('a refusal while the cluster was healthy', () => {
    const h = correct().map((op) => (op.kind === 'observe' && op.key === 'p1' ? answer('p1', 1_010, 503) : op));
    expect(run(h)).toMatchObject({ status: 'fail', cause: 'refused' });
  });
});
