/**
 * What kill-broker-node and pause-broker-node share: which node of the Kafka cluster they act
 * on, found when the fault strikes (leadership moves), and the refusals for a cluster that
 * brokerlab does not run itself.
 *
 * Definitions:
 * - a target: { "node": N } (node id 1-3), { "leaderOf": { "topic": t, "partition": p } }
 *   (the node leading partition p of the run's topic t, i.e. "<namespace>.<t>") or
 *   { "followerOf": { "topic": t, "partition": p, "index": i } } (its i-th replica that is
 *   not the leader, in the partition's replica order, from 0: a node the leader replicates
 *   to; two faults with index 0 and 1 stop both followers).
 * - partition and index default to 0.
 */
import { num, str } from '../checks/types.js';
import { UsageError } from '../errors.js';
import type { FaultContext } from './types.js';

export type NodeTarget =
  | { node: number }
  | { leaderOf: { topic: string; partition: number } }
  | { followerOf: { topic: string; partition: number; index: number } };

const TARGET_HELP = 'exactly one of "node": N, "leaderOf": {"topic": "t", "partition": P} or "followerOf": {"topic": "t", "partition": P}';

function partitionRef(raw: unknown, field: string): { topic: string; partition: number } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`"${field}" must be {"topic": "name", "partition": N}`);
  const r = raw as Record<string, unknown>;
  const partition = num(r, 'partition', 0);
  if (!Number.isInteger(partition) || partition < 0) throw new Error(`"${field}.partition" must be a partition number (0 or more)`);
  return { topic: str(r, 'topic'), partition };
}

/** The target from a fault's params (see the definitions above). */
export function parseNodeTarget(raw: Record<string, unknown>): NodeTarget {
  const given = ['node', 'leaderOf', 'followerOf'].filter((field) => raw[field] !== undefined);
  if (given.length !== 1) throw new Error(`a broker-node fault needs ${TARGET_HELP}`);
  if (raw.node !== undefined) {
    const node = num(raw, 'node');
    if (![1, 2, 3].includes(node)) throw new Error('"node" must be 1, 2 or 3 (the Kafka cluster\'s node ids)');
    return { node };
  }
  if (raw.leaderOf !== undefined) return { leaderOf: partitionRef(raw.leaderOf, 'leaderOf') };
  const index = num(raw.followerOf as Record<string, unknown>, 'index', 0);
  if (!Number.isInteger(index) || index < 0) throw new Error('"followerOf.index" must be 0 (the first follower), 1, ...');
  return { followerOf: { ...partitionRef(raw.followerOf, 'followerOf'), index } };
}

/** "node 2", "the leader of orders-0", for the history and messages. */
export function describeTarget(target: NodeTarget): string {
  if ('node' in target) return `node ${target.node}`;
  if ('leaderOf' in target) return `the leader of ${target.leaderOf.topic}-${target.leaderOf.partition}`;
  const { topic, partition, index } = target.followerOf;
  return `follower ${index + 1} of ${topic}-${partition}`;
}

/** How long resolveNode retries a metadata request a node cannot answer yet. */
const METADATA_WAIT_MS = 5_000;

/** The nodes a pause-broker-node fault of this process holds stopped right now. */
export const pausedNodes = new Set<number>();

/** Each partition's leader and replicas as resolveNode last saw them ("topic-partition"). */
const lastSeen = new Map<string, { leader: number; replicas: number[] }>();

/**
 * The node the target names right now: asks the cluster for a partition's leader and replicas.
 * While a pause fault holds nodes stopped, it does not ask: a stopped node accepts a
 * connection and answers nothing, and kafkajs may pick it for the request (30 s to time out).
 * It then uses the partition as last seen, when the pause faults resolved their followers
 * right before stopping them: with two of the three nodes stopped the quorum is stopped too,
 * so no leadership has moved since (the kill of the leader that acknowledged alone).
 */
export async function resolveNode(target: NodeTarget, ctx: Pick<FaultContext, 'namespace'>): Promise<number> {
  if ('node' in target) return target.node;
  const ref = 'leaderOf' in target ? target.leaderOf : target.followerOf;
  const topic = `${ctx.namespace}.${ref.topic}`;
  const name = `${topic}-${ref.partition}`;
  const seen = pausedNodes.size > 0 ? lastSeen.get(name) : undefined;
  if (seen) return pick(target, seen, name);
  // Faults that strike together (pause both followers) share one request: the first to stop
  // its node must not leave the other's request waiting on it.
  let pending = inFlight.get(name);
  if (!pending) {
    pending = fetchView(topic, ref.partition).finally(() => inFlight.delete(name));
    inFlight.set(name, pending);
  }
  return pick(target, await pending, name);
}

/** Requests in flight for a partition's view, by "topic-partition". */
const inFlight = new Map<string, Promise<{ leader: number; replicas: number[] }>>();

async function fetchView(topic: string, partitionId: number): Promise<{ leader: number; replicas: number[] }> {
  const { endpointOf } = await import('../brokers/index.js');
  const { connectKafkaAdmin } = await import('../namespaces/kafka.js');
  const endpoint = endpointOf('kafka-cluster');
  const admin = await connectKafkaAdmin(endpoint.brokers, endpoint.sasl, 'brokerlab-nemesis');
  try {
    // Right after a topic is created a node may not know it yet for a few hundred ms.
    const deadline = Date.now() + METADATA_WAIT_MS;
    let metadata: Awaited<ReturnType<typeof admin.fetchTopicMetadata>> | undefined;
    while (!metadata) {
      try {
        metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`cannot find ${topic} in the Kafka cluster: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const partition = metadata.topics[0]?.partitions.find((p) => p.partitionId === partitionId);
    if (!partition) throw new Error(`the Kafka cluster has no partition ${partitionId} of ${topic}`);
    const view = { leader: partition.leader, replicas: [...partition.replicas] };
    lastSeen.set(`${topic}-${partitionId}`, view);
    return view;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** The node a leaderOf / followerOf target names in a partition's view. */
export function pick(target: Exclude<NodeTarget, { node: number }>, view: { leader: number; replicas: readonly number[] }, name: string): number {
  if ('leaderOf' in target) {
    if (view.leader < 0) throw new Error(`${name} has no leader right now`);
    return view.leader;
  }
  const index = target.followerOf.index;
  const follower = view.replicas.filter((replica) => replica !== view.leader)[index];
  if (follower === undefined) throw new Error(`${name} has no follower ${index + 1} (replicas ${view.replicas.join(', ')}, leader ${view.leader})`);
  return follower;
}

/**
 * Refuses, before the learner's program starts, a cluster brokerlab does not run natively:
 * an external one is somebody else's, and in compose the nodes are containers.
 */
export async function refuseUnlessNative(fault: string): Promise<void> {
  const { runtimeKindOf } = await import('../brokers/index.js');
  const kind = await runtimeKindOf('kafka-cluster');
  if (kind === 'external') {
    throw new UsageError(
      `this exercise's ${fault} fault kills or pauses a node of the Kafka cluster, which brokerlab can only do to a cluster it runs itself; the cluster is external here (BROKERLAB_KAFKA_CLUSTER_BROKERS). Unset it and run \`brokerlab up kafka-cluster\`.`,
    );
  }
  if (kind !== 'native') {
    throw new UsageError(`this exercise's ${fault} fault needs the Kafka cluster run natively (it signals the nodes' processes); run \`brokerlab down kafka-cluster\`, then \`brokerlab up kafka-cluster --runtime native\`.`);
  }
}
