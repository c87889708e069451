/**
 * Checks over what the lab sampled from the brokers while the learner's program ran
 * (`observe` operations). The learner's program never reports these about itself.
 *
 * Definitions:
 * - subscribers: `observe` key "pubsub-subscribers", value { channel, count } from PUBSUB NUMSUB.
 * - queue sample: `observe` key "amqp-queue", value { queue, ready, consumers, published,
 *   done, afterKill }, from a passive queue.declare (RabbitMQ answers it at once, unlike the
 *   management API's lists, which lag seconds behind a new consumer). `ready` = messages
 *   waiting in the queue; `published` = tasks the lab had published to it; `done` = those
 *   the downstream API had confirmed; `afterKill` = taken after the worker was SIGKILLed and
 *   before it was restarted (consumers is then 0).
 * - in flight: published - ready - done = tasks handed to the worker and not yet done. A
 *   manual-ack consumer holds at most its prefetch; an unlimited or auto-ack one takes all.
 * - vanished on a kill: (published - done) - ready in an afterKill sample = unfinished tasks
 *   that were no longer in the queue once their consumer was gone. With manual acks RabbitMQ
 *   requeues every unacked task when the connection dies, so this is 0; with auto-ack every
 *   task was forgotten on delivery, and they are lost.
 * - group sample: `observe` key "kafka-group", value { groupId, state, members: [{ memberId,
 *   clientId, partitions: number[] }], partitionCount, instances, otherGroups: string[] }.
 */
import type { History, Operation } from '../runner/history.js';
import { type CheckDefinition, num, str } from './types.js';

function observations<T>(history: History, key: string): Array<Operation & { value: T }> {
  return history.filter((op) => op.kind === 'observe' && op.key === key && op.value !== undefined) as Array<
    Operation & { value: T }
  >;
}

export interface SubscribedParams {
  channel: string;
}

export const subscribed: CheckDefinition<SubscribedParams> = {
  name: 'subscribed',
  parseParams: (raw) => ({ channel: str(raw, 'channel') }),
  run(history, p) {
    const samples = observations<{ count: number }>(history, 'pubsub-subscribers');
    const most = Math.max(0, ...samples.map((s) => s.value.count));
    const title = `Subscribes to the ${p.channel} channel`;
    const expected = `at least one client subscribed to "${p.channel}" before the lab published`;
    if (samples.length === 0) return { title, status: 'unknown', expected, observed: 'no subscription samples were taken', examples: [] };
    return most > 0
      ? { title, status: 'pass', expected, observed: `${most} subscriber${most === 1 ? '' : 's'} seen`, examples: [] }
      : { title, status: 'fail', expected, observed: `PUBSUB NUMSUB stayed 0 in all ${samples.length} samples`, examples: [] };
  },
};

/** One passive queue.declare of the tasks queue (see "queue sample" above). */
export interface QueueSample {
  queue: string;
  ready: number;
  consumers: number;
  published: number;
  done: number;
  afterKill: boolean;
}

function queueSamples(history: History): QueueSample[] {
  return observations<QueueSample>(history, 'amqp-queue').map((op) => op.value);
}

export const manualAck: CheckDefinition<Record<string, never>> = {
  name: 'manual-ack',
  parseParams: () => ({}),
  run(history) {
    const afterKill = queueSamples(history).filter((s) => s.afterKill && s.consumers === 0);
    const title = 'Acknowledges messages manually';
    const expected = 'when the worker dies, every task it had not finished is back in the queue (manual acknowledgements: noAck: false, ack after the work)';
    if (afterKill.length === 0) return { title, status: 'unknown', expected, observed: 'the lab took no sample of the queue between the kill and the restart', examples: [] };
    // Requeueing is immediate, but take the sample that saw the most back in the queue.
    const best = afterKill.reduce((a, b) => (b.ready - (b.published - b.done) > a.ready - (a.published - a.done) ? b : a));
    const unfinished = best.published - best.done;
    const vanished = unfinished - best.ready;
    return vanished <= 0
      ? { title, status: 'pass', expected, observed: `all ${unfinished} unfinished tasks were back in "${best.queue}" after the kill`, examples: [] }
      : {
          title,
          status: 'fail',
          expected,
          observed: `${vanished} of ${unfinished} unfinished tasks were gone from "${best.queue}" after the kill: RabbitMQ had already been told they were done, by auto-ack (noAck: true) or by an ack sent before the work`,
          examples: [],
        };
  },
};

export interface PrefetchParams {
  max: number;
}

export const boundedPrefetch: CheckDefinition<PrefetchParams> = {
  name: 'bounded-prefetch',
  parseParams: (raw) => ({ max: num(raw, 'max') }),
  run(history, p) {
    const samples = queueSamples(history).filter((s) => !s.afterKill && s.consumers > 0);
    const title = `Keeps at most ${p.max} messages in flight (prefetch)`;
    const expected = `at most ${p.max} tasks handed to the worker and not yet done at any time (a prefetch between 1 and ${p.max})`;
    if (samples.length === 0) return { title, status: 'unknown', expected, observed: 'the lab took no sample of the queue while the worker consumed', examples: [] };
    const inFlight = (s: QueueSample) => s.published - s.ready - s.done;
    const most = samples.reduce((a, b) => (inFlight(b) > inFlight(a) ? b : a));
    const held = inFlight(most);
    return held <= p.max
      ? { title, status: 'pass', expected, observed: `at most ${Math.max(0, held)} in flight`, examples: [] }
      : {
          title,
          status: 'fail',
          expected,
          observed: `${held} tasks were in flight at once (${most.published} published, ${most.ready} still in the queue, ${most.done} done): RabbitMQ pushed them all to the worker`,
          examples: [],
        };
  },
};

/** One sample of a Kafka consumer group, as the kafka-consumer-group workload records it. */
export interface KafkaGroupSample {
  groupId: string;
  state: string;
  members: Array<{ memberId: string; clientId: string; partitions: number[] }>;
  partitionCount: number;
  instances: number;
  otherGroups: string[];
}

export interface GroupParams {
  /** How many of the learner's processes were running while the samples were taken. */
  instances: number;
}

/**
 * group-shares-partitions
 *
 * A sample "shares the work" when the group has `instances` members, every partition is
 * assigned to exactly one member and every member has at least one partition. Passes when
 * at least one sample taken before the first fault shares the work.
 */
export const groupSharesPartitions: CheckDefinition<GroupParams> = {
  name: 'group-shares-partitions',
  parseParams: (raw) => ({ instances: num(raw, 'instances') }),
  run(history, p) {
    const firstFault = history.find((op) => op.kind === 'fault')?.t ?? Number.POSITIVE_INFINITY;
    const samples = observations<KafkaGroupSample>(history, 'kafka-group').filter((s) => s.t < firstFault);
    const title = 'Consumers share the partitions as one group';
    const expected = `${p.instances} consumers in the group, each partition owned by exactly one of them`;
    if (samples.length === 0) return { title, status: 'unknown', expected, observed: 'the lab took no group samples before the fault', examples: [] };
    const shares = (v: KafkaGroupSample): boolean => {
      if (v.members.length < p.instances) return false;
      const owners = new Map<number, number>();
      for (const m of v.members) for (const part of m.partitions) owners.set(part, (owners.get(part) ?? 0) + 1);
      const everyPartitionOnce = Array.from({ length: v.partitionCount }, (_, i) => owners.get(i) === 1).every(Boolean);
      return everyPartitionOnce && v.members.every((m) => m.partitions.length > 0);
    };
    if (samples.some((s) => shares(s.value))) {
      return { title, status: 'pass', expected, observed: `${p.instances} members shared ${samples[0]?.value.partitionCount} partitions`, examples: [] };
    }
    const most = samples.reduce((a, s) => (s.value.members.length > a.value.members.length ? s : a));
    const examples = most.value.members.map((m) => `${m.clientId}: partitions [${m.partitions.join(', ')}]`);
    const others = [...new Set(samples.flatMap((s) => s.value.otherGroups))];
    if (others.length > 0) examples.push(`other consumer groups seen in this run: ${others.join(', ')}`);
    return {
      title,
      status: 'fail',
      expected,
      observed: `the group "${most.value.groupId}" had at most ${most.value.members.length} member${most.value.members.length === 1 ? '' : 's'}`,
      examples,
    };
  },
};
