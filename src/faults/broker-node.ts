/**
 * What kill-broker-node and pause-broker-node share: which cluster and which of its nodes they
 * act on, found when the fault strikes (leadership moves), and the refusals for a cluster
 * that brokerlab does not run itself.
 *
 * Definitions:
 * - broker: "kafka-cluster" (the default) or "rabbitmq-cluster", the 3-node cluster acted on.
 * - a target on either: { "node": N } (node id 1-3).
 * - on the Kafka cluster: { "leaderOf": { "topic": t, "partition": p } } (the node leading
 *   partition p of the run's topic t, i.e. "<namespace>.<t>") or
 *   { "followerOf": { "topic": t, "partition": p, "index": i } } (its i-th replica that is
 *   not the leader, in the partition's replica order, from 0: a node the leader replicates
 *   to; two faults with index 0 and 1 stop both followers). partition and index default to 0.
 * - on the RabbitMQ cluster: { "leaderOfQueue": "q" }: the node hosting queue q of the run's
 *   vhost (the management API's `leader` for a quorum queue, `node` for a classic one).
 */
import { num, str } from '../checks/types.js';
import { UsageError } from '../errors.js';
import type { FaultContext } from './types.js';

/** The clusters whose nodes these faults act on. */
export const NODE_CLUSTERS = ['kafka-cluster', 'rabbitmq-cluster'] as const;
export type NodeCluster = (typeof NODE_CLUSTERS)[number];

export type NodeTarget =
  | { node: number }
  | { leaderOf: { topic: string; partition: number } }
  | { followerOf: { topic: string; partition: number; index: number } }
  | { leaderOfQueue: string };

const TARGET_HELP: Record<NodeCluster, string> = {
  'kafka-cluster': 'exactly one of "node": N, "leaderOf": {"topic": "t", "partition": P} or "followerOf": {"topic": "t", "partition": P}',
  'rabbitmq-cluster': 'exactly one of "node": N or "leaderOfQueue": "queue"',
};

/** "Kafka cluster", "RabbitMQ cluster", for messages. */
export const clusterLabel = (broker: NodeCluster): string => (broker === 'kafka-cluster' ? 'Kafka cluster' : 'RabbitMQ cluster');

function partitionRef(raw: unknown, field: string): { topic: string; partition: number } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`"${field}" must be {"topic": "name", "partition": N}`);
  const r = raw as Record<string, unknown>;
  const partition = num(r, 'partition', 0);
  if (!Number.isInteger(partition) || partition < 0) throw new Error(`"${field}.partition" must be a partition number (0 or more)`);
  return { topic: str(r, 'topic'), partition };
}

/** The cluster from a fault's params: "broker", kafka-cluster when absent. */
export function parseNodeCluster(raw: Record<string, unknown>): NodeCluster {
  const broker = raw.broker ?? 'kafka-cluster';
  if (!(NODE_CLUSTERS as readonly unknown[]).includes(broker)) throw new Error(`"broker" must be ${NODE_CLUSTERS.map((b) => `"${b}"`).join(' or ')}`);
  return broker as NodeCluster;
}

/** The target from a fault's params (see the definitions above). */
export function parseNodeTarget(raw: Record<string, unknown>, broker: NodeCluster = 'kafka-cluster'): NodeTarget {
  const fields = broker === 'kafka-cluster' ? ['node', 'leaderOf', 'followerOf'] : ['node', 'leaderOfQueue'];
  const given = ['node', 'leaderOf', 'followerOf', 'leaderOfQueue'].filter((field) => raw[field] !== undefined);
  if (given.length !== 1 || !fields.includes(given[0]!)) throw new Error(`a broker-node fault on the ${clusterLabel(broker)} needs ${TARGET_HELP[broker]}`);
  if (raw.node !== undefined) {
    const node = num(raw, 'node');
    if (![1, 2, 3].includes(node)) throw new Error(`"node" must be 1, 2 or 3 (the ${clusterLabel(broker)}'s node ids)`);
    return { node };
  }
  if (raw.leaderOfQueue !== undefined) return { leaderOfQueue: str(raw, 'leaderOfQueue') };
  if (raw.leaderOf !== undefined) return { leaderOf: partitionRef(raw.leaderOf, 'leaderOf') };
  const index = num(raw.followerOf as Record<string, unknown>, 'index', 0);
  if (!Number.isInteger(index) || index < 0) throw new Error('"followerOf.index" must be 0 (the first follower), 1, ...');
  return { followerOf: { ...partitionRef(raw.followerOf, 'followerOf'), index } };
}

/** "node 2", "the leader of orders-0", "the node of queue orders", for the history and messages. */
export function describeTarget(target: NodeTarget): string {
  if ('node' in target) return `node ${target.node}`;
  if ('leaderOfQueue' in target) return `the node leading queue ${target.leaderOfQueue}`;
  if ('leaderOf' in target) return `the leader of ${target.leaderOf.topic}-${target.leaderOf.partition}`;
  const { topic, partition, index } = target.followerOf;
  return `follower ${index + 1} of ${topic}-${partition}`;
}

/** How long resolveNode retries a metadata request a node cannot answer yet. */
const METADATA_WAIT_MS = 5_000;

/** The Kafka cluster's nodes a pause-broker-node fault of this process holds stopped right now. */
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
  if ('leaderOfQueue' in target) return queueLeader(target.leaderOfQueue, ctx.namespace);
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
export function pick(target: Extract<NodeTarget, { leaderOf: unknown } | { followerOf: unknown }>, view: { leader: number; replicas: readonly number[] }, name: string): number {
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
 * The node hosting a queue of the RabbitMQ cluster's vhost `vhost` (a run's vhost is its
 * namespace): `leader` for a quorum queue, `node` for a classic one. A queue the program has
 * just declared may take a moment to appear: retried for METADATA_WAIT_MS.
 */
export async function queueLeader(queue: string, vhost: string): Promise<number> {
  const { endpointOf } = await import('../brokers/index.js');
  const { managementApi } = await import('../namespaces/rabbitmq.js');
  const { rabbitmqClusterNodeId } = await import('../brokers/rabbitmq-cluster.js');
  const api = managementApi(endpointOf('rabbitmq-cluster'), { timeoutMs: 5_000 });
  const path = `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`;
  const deadline = Date.now() + METADATA_WAIT_MS;
  for (;;) {
    const { status, json } = await api('GET', path);
    const info = (json ?? {}) as { leader?: string; node?: string };
    const name = status === 200 ? (info.leader ?? info.node) : undefined;
    const id = name === undefined ? undefined : rabbitmqClusterNodeId(name);
    if (id !== undefined) return id;
    if (Date.now() > deadline) throw new Error(`cannot find the node of queue ${queue} in vhost ${vhost} of the RabbitMQ cluster (HTTP ${status}${name ? `, node ${name}` : ''})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Refuses, before the learner's program starts, a cluster brokerlab does not run natively:
 * an external one is somebody else's, and in compose the nodes are containers.
 */
export async function refuseUnlessNative(fault: string, broker: NodeCluster = 'kafka-cluster'): Promise<void> {
  const { runtimeKindOf } = await import('../brokers/index.js');
  const { brokerDef } = await import('../brokers/registry.js');
  const kind = await runtimeKindOf(broker);
  const label = clusterLabel(broker);
  if (kind === 'external') {
    throw new UsageError(
      `this exercise's ${fault} fault kills or pauses a node of the ${label}, which brokerlab can only do to a cluster it runs itself; the cluster is external here (${brokerDef(broker).externalEnv}). Unset it and run \`brokerlab up ${broker}\`.`,
    );
  }
  if (kind !== 'native') {
    throw new UsageError(`this exercise's ${fault} fault needs the ${label} run natively (it signals the nodes' processes); run \`brokerlab down ${broker}\`, then \`brokerlab up ${broker} --runtime native\`.`);
  }
}
