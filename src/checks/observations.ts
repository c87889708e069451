/**
 * Checks over what the lab sampled from the brokers while the learner's program ran
 * (`observe` operations). The learner's program never reports these about itself.
 *
 * Definitions:
 * - subscribers: `observe` key "pubsub-subscribers", value { channel, count } from PUBSUB NUMSUB.
 * - consumers: `observe` key "amqp-consumers", value { consumers: [{ queue, ackRequired,
 *   prefetchCount }] } from the RabbitMQ management API. prefetchCount 0 means unlimited.
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

interface ConsumersValue {
  consumers: Array<{ queue: string; ackRequired: boolean; prefetchCount: number }>;
}

export const manualAck: CheckDefinition<Record<string, never>> = {
  name: 'manual-ack',
  parseParams: () => ({}),
  run(history) {
    const consumers = observations<ConsumersValue>(history, 'amqp-consumers').flatMap((s) => s.value.consumers);
    const title = 'Acknowledges messages manually';
    const expected = 'every consumer uses manual acknowledgements (noAck: false)';
    if (consumers.length === 0) return { title, status: 'unknown', expected, observed: 'the lab never saw a consumer on the queue', examples: [] };
    const autoAck = consumers.filter((c) => !c.ackRequired);
    return autoAck.length === 0
      ? { title, status: 'pass', expected, observed: 'all consumers ack manually', examples: [] }
      : {
          title,
          status: 'fail',
          expected,
          observed: `a consumer on "${autoAck[0]?.queue}" uses auto-ack (noAck: true)`,
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
    const consumers = observations<ConsumersValue>(history, 'amqp-consumers').flatMap((s) => s.value.consumers);
    const title = `Keeps at most ${p.max} messages in flight (prefetch)`;
    const expected = `every consumer has a prefetch between 1 and ${p.max}`;
    if (consumers.length === 0) return { title, status: 'unknown', expected, observed: 'the lab never saw a consumer on the queue', examples: [] };
    const bad = consumers.find((c) => c.ackRequired && (c.prefetchCount === 0 || c.prefetchCount > p.max));
    const autoAck = consumers.find((c) => !c.ackRequired);
    if (autoAck) {
      return { title, status: 'fail', expected, observed: 'auto-ack consumers have no prefetch limit at all: RabbitMQ pushes everything', examples: [] };
    }
    if (!bad) {
      const most = Math.max(...consumers.map((c) => c.prefetchCount));
      return { title, status: 'pass', expected, observed: `prefetch ${most}`, examples: [] };
    }
    return {
      title,
      status: 'fail',
      expected,
      observed: bad.prefetchCount === 0 ? 'prefetch is unlimited (0)' : `prefetch is ${bad.prefetchCount}`,
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
