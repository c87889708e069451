/**
 * A real 3-node RabbitMQ cluster (`rabbitmq-cluster`), for the exercises about replication
 * (quorum queues): three Erlang VMs from the same Debian install as the single node
 * (rabbitmq.ts), named brokerlab-1@localhost .. brokerlab-3@localhost, sharing one Erlang
 * cookie (brokers/rabbitmq-cluster/home/.erlang.cookie). Node N listens for AMQP on
 * 127.0.0.1:568N, for the management API on 1568N and for Erlang distribution on 2568N; its
 * folders are $BROKERLAB_HOME/brokers/rabbitmq-cluster/node-N.
 *
 * The cluster forms the first time with `rabbitmqctl join_cluster` (nodes 2 and 3 join node
 * 1 after they booted); a node that was a member remembers it and rejoins by itself when `up`
 * starts it again after a crash. The single-node RabbitMQ on 5672 is a separate broker and
 * is not touched by anything here. The default queue type stays classic: the learner chooses
 * quorum queues.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EnvironmentError, UsageError } from '../errors.js';
import { makeDir } from '../dirs.js';
import type { BrokerDefinition, NativeDirs, NativeNode } from './definition.js';
import { displayUrl, httpGet } from './net.js';
import { HOST, PORTS, portsOf } from './ports.js';
import { checkRabbitmqInstalled, prepareRabbitmqNode, RABBITMQ_SHARED_CONF, rabbitmqctlWith, rabbitmqNodeEnv, stopEpmdIfUnused } from './rabbitmq.js';
import { signalGroup } from './process.js';
import type { Endpoints } from './types.js';

/** The cluster's node ids, 1 to 3. */
export const RABBITMQ_CLUSTER_NODE_IDS = [1, 2, 3] as const;
export type RabbitmqClusterNodeId = (typeof RABBITMQ_CLUSTER_NODE_IDS)[number];

const ports = PORTS['rabbitmq-cluster'];
const AMQP_PORTS: Record<RabbitmqClusterNodeId, number> = { 1: ports.amqp1, 2: ports.amqp2, 3: ports.amqp3 };
const MANAGEMENT_PORTS: Record<RabbitmqClusterNodeId, number> = { 1: ports.management1, 2: ports.management2, 3: ports.management3 };
const DIST_PORTS: Record<RabbitmqClusterNodeId, number> = { 1: ports.distribution1, 2: ports.distribution2, 3: ports.distribution3 };

/** Node N's Erlang name, distinct from the single node's (brokerlab@localhost) and the package's. */
export const rabbitmqClusterNodeName = (id: number): string => `brokerlab-${id}@localhost`;

/** Node id from an Erlang node name ("brokerlab-2@localhost" -> 2), as the management API gives it. */
export function rabbitmqClusterNodeId(name: string): number | undefined {
  const match = /^brokerlab-([123])@/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Only the management plugin: no prometheus on the cluster (the single node has it). */
export const RABBITMQ_CLUSTER_PLUGINS = ['rabbitmq_management'] as const;

/**
 * Erlang distribution's tick, in seconds: a node that stops answering (SIGSTOP) is declared
 * down after ~net_ticktime. 60 s by default; 10 s here, so a paused node leaves the cluster
 * within a run. A killed node is seen down at once (its connections close).
 */
export const RABBITMQ_CLUSTER_NET_TICKTIME_S = 10;

const amqpUrl = (id: RabbitmqClusterNodeId): string => `amqp://guest:guest@${HOST}:${AMQP_PORTS[id]}`;
const managementUrl = (id: RabbitmqClusterNodeId): string => `http://${HOST}:${MANAGEMENT_PORTS[id]}`;

export const RABBITMQ_CLUSTER_NODES: readonly NativeNode[] = RABBITMQ_CLUSTER_NODE_IDS.map((id) => ({
  id,
  ports: [AMQP_PORTS[id], MANAGEMENT_PORTS[id], DIST_PORTS[id]],
  address: `${HOST}:${AMQP_PORTS[id]}`,
}));

const DEFAULT: Endpoints['rabbitmq-cluster'] = {
  amqpUrls: RABBITMQ_CLUSTER_NODE_IDS.map(amqpUrl),
  managementUrl: managementUrl(1),
  username: 'guest',
  password: 'guest',
};

function isNodeId(id: number): id is RabbitmqClusterNodeId {
  return (RABBITMQ_CLUSTER_NODE_IDS as readonly number[]).includes(id);
}

/** rabbitmq.conf of node `id` (the shared lines are the single node's). */
export function rabbitmqClusterConf(id: RabbitmqClusterNodeId): string {
  return [
    '# Written by brokerlab on every start; edits are overwritten.',
    `listeners.tcp.default = ${HOST}:${AMQP_PORTS[id]}`,
    `management.tcp.ip = ${HOST}`,
    `management.tcp.port = ${MANAGEMENT_PORTS[id]}`,
    'loopback_users.guest = true',
    // A node cut off from the other two (paused past net_ticktime, then woken) comes back to
    // a partition: autoheal restarts the losing side (the lone node) and it rejoins. The
    // default ("ignore") leaves two halves that each think the other is down, for good; and
    // pause_minority does not act here, as the woken node reconnects before it counts.
    'cluster_partition_handling = autoheal',
    ...RABBITMQ_SHARED_CONF,
    '',
  ].join('\n');
}

/** The folder every node uses as HOME: one Erlang cookie for the three. */
const sharedHome = (dirs: NativeDirs): string => join(dirs.brokerDir, '..', 'home');

function nodeEnv(dirs: NativeDirs, id: RabbitmqClusterNodeId): Record<string, string> {
  return rabbitmqNodeEnv(dirs, { home: sharedHome(dirs), nodename: rabbitmqClusterNodeName(id), distPort: DIST_PORTS[id] });
}

/** The one cookie, written once (Erlang refuses a cookie file others can read). */
function ensureCookie(dirs: NativeDirs): void {
  const home = sharedHome(dirs);
  makeDir(home);
  const file = join(home, '.erlang.cookie');
  if (!existsSync(file)) writeFileSync(file, randomBytes(20).toString('hex').toUpperCase(), { mode: 0o400 });
}

/** Waits until node `id` has booted (rabbit app running); throws with its output otherwise. */
async function awaitStartup(dirs: NativeDirs, id: RabbitmqClusterNodeId, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // await_startup fails at once while the node has not registered with epmd yet: try again.
  for (;;) {
    const seconds = Math.max(5, Math.round((deadline - Date.now()) / 1000));
    const result = await rabbitmqctlWith(nodeEnv(dirs, id), ['await_startup', '--timeout', String(seconds)], seconds * 1000 + 10_000);
    if (result.code === 0) return;
    if (Date.now() > deadline) throw new EnvironmentError(`RabbitMQ cluster node ${id} did not boot: ${result.output.trim().slice(-300)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** The nodes node `id` counts as cluster members (disc nodes), by name. */
async function clusterMembers(dirs: NativeDirs, id: RabbitmqClusterNodeId): Promise<string[]> {
  const result = await rabbitmqctlWith(nodeEnv(dirs, id), ['cluster_status', '--formatter', 'json']);
  if (result.code !== 0) throw new EnvironmentError(`rabbitmqctl cluster_status on node ${id} failed: ${result.output.trim().slice(-300)}`);
  const json = JSON.parse(result.output.slice(result.output.indexOf('{'))) as { disk_nodes?: string[] };
  return json.disk_nodes ?? [];
}

/** Node-by-node view of /api/nodes from one node's management API: the names it sees running. */
async function runningNodes(url: string, endpoint: Endpoints['rabbitmq-cluster'], timeoutMs: number): Promise<string[]> {
  const auth = Buffer.from(`${endpoint.username}:${endpoint.password}`).toString('base64');
  const body = await httpGet(`${url}/api/nodes?columns=name,running`, timeoutMs, { authorization: `Basic ${auth}` });
  return (JSON.parse(body) as Array<{ name: string; running: boolean }>).filter((node) => node.running).map((node) => node.name);
}

/** Node N's management URL on the native cluster (a node answers for the whole cluster). */
export const rabbitmqClusterManagementUrl = (id: number): string => (isNodeId(id) ? managementUrl(id) : managementUrl(1));

const CLUSTER_SIZE = RABBITMQ_CLUSTER_NODE_IDS.length;

export const rabbitmqCluster: BrokerDefinition<'rabbitmq-cluster'> = {
  name: 'rabbitmq-cluster',
  label: 'RabbitMQ cluster',
  ports: portsOf('rabbitmq-cluster'),
  defaultEndpoint: DEFAULT,
  externalEnv: 'BROKERLAB_RABBITMQ_CLUSTER_URLS',
  // Three Erlang VMs booting side by side on two cores, then two joins.
  startTimeoutMs: 120_000,

  fromEnv(env) {
    const raw = env.BROKERLAB_RABBITMQ_CLUSTER_URLS?.trim();
    if (!raw) return undefined;
    const urls = raw.split(',').map((part) => part.trim()).filter(Boolean);
    const parsed = urls.map((text) => {
      try {
        return new URL(text);
      } catch {
        throw new UsageError(`BROKERLAB_RABBITMQ_CLUSTER_URLS has "${text}", not a URL (expected e.g. ${DEFAULT.amqpUrls.join(',')})`);
      }
    });
    const first = parsed[0]!;
    const username = first.username ? decodeURIComponent(first.username) : 'guest';
    const password = first.password ? decodeURIComponent(first.password) : 'guest';
    const amqpUrls = parsed.map((url) => `${url.protocol}//${url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : ''}${url.host}`);
    const management = env.BROKERLAB_RABBITMQ_CLUSTER_MANAGEMENT_URL?.trim() || `${first.protocol === 'amqps:' ? 'https' : 'http'}://${first.hostname}:15672`;
    return { amqpUrls, managementUrl: management.replace(/\/+$/, ''), username, password };
  },
  url: (endpoint) => endpoint.amqpUrls.map(displayUrl).join(','),
  externalExample: () => `BROKERLAB_RABBITMQ_CLUSTER_URLS=${DEFAULT.amqpUrls.join(',')}`,
  awaited: (endpoint) =>
    endpoint === DEFAULT || endpoint.managementUrl === DEFAULT.managementUrl
      ? `GET /api/nodes on each node's management API (${RABBITMQ_CLUSTER_NODE_IDS.map((id) => MANAGEMENT_PORTS[id]).join(', ')}) listing ${CLUSTER_SIZE} running nodes`
      : `GET /api/nodes on ${endpoint.managementUrl} listing ${CLUSTER_SIZE} running nodes`,

  /**
   * Ready = three nodes running and clustered, as each node itself sees it (the brokerlab's
   * own cluster: each node's management API; an external one: its one management URL).
   */
  async probe(endpoint, timeoutMs) {
    const urls = endpoint.managementUrl === DEFAULT.managementUrl ? RABBITMQ_CLUSTER_NODE_IDS.map(managementUrl) : [endpoint.managementUrl];
    for (const url of urls) {
      const running = await runningNodes(url, endpoint, timeoutMs);
      if (running.length < CLUSTER_SIZE) {
        throw new Error(`${new URL(url).host} sees ${running.length} of ${CLUSTER_SIZE} nodes running (${running.join(', ') || 'none'})`);
      }
    }
  },

  native: {
    nodes: RABBITMQ_CLUSTER_NODES,
    stopGraceMs: 30_000,
    logFile: (dirs) => join(dirs.logsDir, 'rabbitmq.log'),
    checkInstalled: checkRabbitmqInstalled,
    async prepare(dirs, previous, node) {
      if (!node || !isNodeId(node.id)) throw new UsageError('the RabbitMQ cluster starts one node at a time (node 1, 2 or 3)');
      ensureCookie(dirs);
      const env = nodeEnv(dirs, node.id);
      const prepared = await prepareRabbitmqNode(dirs, env, rabbitmqClusterConf(node.id), RABBITMQ_CLUSTER_PLUGINS, previous);
      writeFileSync(env.RABBITMQ_ADVANCED_CONFIG_FILE!, `[{kernel, [{net_ticktime, ${RABBITMQ_CLUSTER_NET_TICKTIME_S}}]}].\n`);
      return prepared;
    },
    /**
     * Nodes 2 and 3 join node 1 unless they count it as a member already (a node restarted
     * after a crash remembers its cluster and rejoins by itself).
     */
    async formCluster(nodes, timeoutMs) {
      const first = nodes.find(({ node }) => node.id === 1);
      if (!first) return;
      await awaitStartup(first.dirs, 1, timeoutMs);
      for (const { dirs, node } of nodes) {
        if (node.id === 1 || !isNodeId(node.id)) continue;
        await awaitStartup(dirs, node.id, timeoutMs);
        if ((await clusterMembers(dirs, node.id)).includes(rabbitmqClusterNodeName(1))) continue;
        const env = nodeEnv(dirs, node.id);
        for (const args of [['stop_app'], ['join_cluster', rabbitmqClusterNodeName(1)], ['start_app']]) {
          const result = await rabbitmqctlWith(env, args, timeoutMs);
          if (result.code !== 0) throw new EnvironmentError(`RabbitMQ cluster node ${node.id}: rabbitmqctl ${args.join(' ')} failed: ${result.output.trim().slice(-300)}`);
        }
      }
    },
    async stop(dirs, state) {
      const id = nodeIdOfDirs(dirs);
      const result = isNodeId(id) ? await rabbitmqctlWith(nodeEnv(dirs, id), ['stop']) : { code: 1 };
      if (result.code !== 0) signalGroup(state.pgid, 'SIGTERM');
    },
    async afterStop(dirs, state) {
      if (state.extra.epmdStartedByUs !== true) return;
      const id = nodeIdOfDirs(dirs);
      if (isNodeId(id)) await stopEpmdIfUnused(nodeEnv(dirs, id));
    },
  },
};

/** The node id of a node's folders (brokers/rabbitmq-cluster/node-N). */
function nodeIdOfDirs(dirs: NativeDirs): number {
  return Number(/node-(\d+)$/.exec(dirs.brokerDir)?.[1] ?? 0);
}
