/**
 * A real 3-node Apache Kafka cluster (`kafka-cluster`), for the exercises about replication:
 * three KRaft JVMs from the same jars as the single node (vendor/kafka-<v>/lib), each both
 * broker and controller, so the metadata quorum is three voters and survives losing any one
 * node, the active controller included. Node N listens for clients on 127.0.0.1:910N and for
 * the quorum on 127.0.0.1:911N; its folders are $BROKERLAB_HOME/brokers/kafka-cluster/node-N.
 *
 * A topic gets Kafka's own defaults (replication factor 1, min.insync.replicas 1) unless its
 * creator asks for more: the replication exercise grades the learner's own settings, and a
 * cluster whose defaults were 3 and 2 would pass a program that set neither (an independent
 * probe found that). The internal topics are replicated three times, with two in sync for
 * transactions; no unclean leader election; otherwise the single node's lab-friendly settings
 * (kafka.ts). The single-node Kafka
 * on 9092 is a separate broker and is not touched by anything here.
 */
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { BrokerDefinition, NativeDirs, NativeNode } from './definition.js';
import { checkKafkaInstalled, describeKafka, KAFKA_SHARED_SETTINGS, kafkaEndpointFromEnv, prepareKafkaNode } from './kafka.js';
import { quorumLeader } from './kafka-quorum.js';
import { HOST, PORTS, portsOf } from './ports.js';

/** Fixed KRaft cluster id (base64url of "brokerlab-3nodes"), native and compose alike. */
export const KAFKA_CLUSTER_CLUSTER_ID = 'YnJva2VybGFiLTNub2Rlcw';

/** Heap of each node: three JVMs must fit next to the single node and the rest of the lab. */
export const KAFKA_CLUSTER_HEAP = ['-Xms256m', '-Xmx256m'] as const;

/**
 * The rest of each node's JVM options, chosen for resident memory over throughput (a lab
 * cluster moves a few thousand small records): the serial collector and the C1 compiler
 * alone, with a small code cache, take each node from ~330 MB to ~170 MB resident under a
 * short produce (measured on the lab's machines, see docs/benchmarks.md).
 */
export const KAFKA_CLUSTER_JVM = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:ReservedCodeCacheSize=32m', '-XX:MaxMetaspaceSize=96m', '-Xss512k'] as const;

/** The cluster's node ids, 1 to 3. */
export const KAFKA_CLUSTER_NODE_IDS = [1, 2, 3] as const;
export type KafkaClusterNodeId = (typeof KAFKA_CLUSTER_NODE_IDS)[number];

const ports = PORTS['kafka-cluster'];
const CLIENT_PORTS: Record<KafkaClusterNodeId, number> = { 1: ports.node1, 2: ports.node2, 3: ports.node3 };
const CONTROLLER_PORTS: Record<KafkaClusterNodeId, number> = { 1: ports.controller1, 2: ports.controller2, 3: ports.controller3 };

/** host:port of node `id`'s client listener. */
export const nodeAddress = (id: KafkaClusterNodeId): string => `${HOST}:${CLIENT_PORTS[id]}`;
/** host:port of node `id`'s controller listener. */
export const controllerAddress = (id: KafkaClusterNodeId): string => `${HOST}:${CONTROLLER_PORTS[id]}`;

export const KAFKA_CLUSTER_NODES: readonly NativeNode[] = KAFKA_CLUSTER_NODE_IDS.map((id) => ({
  id,
  ports: [CLIENT_PORTS[id], CONTROLLER_PORTS[id]],
  address: nodeAddress(id),
}));

/** How long the cluster waits before it drops a silent follower from a partition's ISR
 *  (replica.lag.time.max.ms): 30 s by default, 5 s here so a paused follower leaves the ISR
 *  within a run. */
export const KAFKA_CLUSTER_REPLICA_LAG_MS = 5_000;

/**
 * server.properties shared by the three nodes, natively and in compose; only node.id,
 * listeners, advertised.listeners and log.dirs differ per node (clusterNodeSettings).
 */
export const KAFKA_CLUSTER_SHARED_SETTINGS: Readonly<Record<string, string>> = {
  // The single node's lab-friendly settings: short broker sessions (a killed node is fenced
  // in ~3 s), quick group joins, 1 s consumer sessions allowed, no auto-created topics.
  ...Object.fromEntries(
    Object.entries(KAFKA_SHARED_SETTINGS).filter(([key]) => !['node.id', 'controller.quorum.voters', 'advertised.listeners', 'listener.security.protocol.map'].includes(key)),
  ),
  'controller.quorum.voters': KAFKA_CLUSTER_NODE_IDS.map((id) => `${id}@${controllerAddress(id)}`).join(','),
  'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
  // Three replicas of the internal topics. A learner's topic is as durable as its creator asks:
  // Kafka's defaults (1 and 1), so a topic created without settings fails the replication
  // exercise's check as it would lose writes on a cluster with these defaults.
  'offsets.topic.replication.factor': '3',
  'transaction.state.log.replication.factor': '3',
  'transaction.state.log.min.isr': '2',
  'default.replication.factor': '1',
  'min.insync.replicas': '1',
  // A replica that is not in sync never becomes leader: acknowledged writes are never lost.
  'unclean.leader.election.enable': 'false',
  'replica.lag.time.max.ms': String(KAFKA_CLUSTER_REPLICA_LAG_MS),
  // `down` stops the three nodes together; a node's controlled shutdown asks the quorum to move
  // its leaderships, and the last node waiting for it would wait for a quorum that is gone
  // (until it is killed). Logs are still closed cleanly; a fault's kill is never graceful.
  'controlled.shutdown.enable': 'false',
  // The log cleaner (compacting __consumer_offsets) takes a 128 MB buffer from the heap at
  // start-up by default: most of a small heap. 16 MB compacts the lab's few offsets as well.
  'log.cleaner.dedupe.buffer.size': String(16 * 1024 * 1024),
};

/** The per-node lines of server.properties. */
export function clusterNodeSettings(id: KafkaClusterNodeId): Record<string, string> {
  return {
    'node.id': String(id),
    listeners: `PLAINTEXT://${nodeAddress(id)},CONTROLLER://${controllerAddress(id)}`,
    'advertised.listeners': `PLAINTEXT://${nodeAddress(id)}`,
  };
}

function serverProperties(dirs: NativeDirs, id: KafkaClusterNodeId): string {
  const settings = { ...KAFKA_CLUSTER_SHARED_SETTINGS, ...clusterNodeSettings(id), 'log.dirs': join(dirs.dataDir, 'kraft-logs') };
  const lines = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
  return ['# Written by brokerlab on every start; edits are overwritten.', ...lines, ''].join('\n');
}

function isNodeId(id: number): id is KafkaClusterNodeId {
  return (KAFKA_CLUSTER_NODE_IDS as readonly number[]).includes(id);
}

/** The cluster's nodes answer describeCluster, all three of them. */
const CLUSTER_SIZE = KAFKA_CLUSTER_NODE_IDS.length;

export const kafkaCluster: BrokerDefinition<'kafka-cluster'> = {
  name: 'kafka-cluster',
  label: 'Kafka cluster',
  ports: portsOf('kafka-cluster'),
  defaultEndpoint: { brokers: KAFKA_CLUSTER_NODE_IDS.map(nodeAddress) },
  externalEnv: 'BROKERLAB_KAFKA_CLUSTER_BROKERS',
  // Three JVMs starting side by side on two cores.
  startTimeoutMs: 90_000,

  fromEnv: (env) => kafkaEndpointFromEnv(env, 'BROKERLAB_KAFKA_CLUSTER_BROKERS'),
  url: (endpoint) => endpoint.brokers.join(','),
  externalExample: () => `BROKERLAB_KAFKA_CLUSTER_BROKERS=${KAFKA_CLUSTER_NODE_IDS.map(nodeAddress).join(',')}`,
  awaited: (endpoint) => `describeCluster on each of ${endpoint.brokers.join(',')} listing ${CLUSTER_SIZE} brokers`,

  /**
   * Ready = every node is registered and unfenced, as each node itself sees the cluster: right
   * after a start one node's metadata can lag another's by a moment, and a run must start
   * with the whole cluster whichever node its clients ask first.
   */
  async probe(endpoint, timeoutMs) {
    const views = await Promise.all(endpoint.brokers.map(async (address) => ({ address, cluster: await describeKafka({ ...endpoint, brokers: [address] }, timeoutMs) })));
    for (const { address, cluster } of views) {
      if (cluster.brokers.length < CLUSTER_SIZE) {
        const live = cluster.brokers.map((broker) => broker.nodeId).sort();
        throw new Error(`${address} sees ${live.length} of ${CLUSTER_SIZE} brokers (node${live.length === 1 ? '' : 's'} ${live.join(', ') || 'none'})`);
      }
    }
  },

  async quorumLeader(_endpoint, timeoutMs) {
    return quorumLeader(KAFKA_CLUSTER_NODE_IDS.map(controllerAddress), timeoutMs);
  },

  native: {
    nodes: KAFKA_CLUSTER_NODES,
    // Without controlled shutdown a node stops in a few seconds; past this it is killed (its
    // log is then recovered at the next start).
    stopGraceMs: 20_000,
    logFile: (dirs) => join(dirs.logsDir, 'server.log'),
    checkInstalled: checkKafkaInstalled,
    async prepare(dirs, _previous, node) {
      if (!node || !isNodeId(node.id)) throw new UsageError('the Kafka cluster starts one node at a time (node 1, 2 or 3)');
      return prepareKafkaNode(dirs, serverProperties(dirs, node.id), KAFKA_CLUSTER_CLUSTER_ID, [...KAFKA_CLUSTER_HEAP, ...KAFKA_CLUSTER_JVM]);
    },
  },
};
