/**
 * What one broker module (redis.ts, kafka.ts, ...) tells the runtimes: where it answers by
 * default, how to read an external endpoint from the environment, how to check it is really
 * up (a protocol-level probe, not just an open port), and how to run it as a native process.
 * The runtimes (./runtimes) own the generic parts: state files, process groups, waiting.
 */
import type { BrokerName, Endpoints } from './types.js';

/** Per-broker folders of the native runtime, all under $BROKERLAB_HOME/brokers/<name>. */
export interface NativeDirs {
  /** $BROKERLAB_HOME */
  home: string;
  /** $BROKERLAB_HOME/brokers/<name>: holds state.json and the three folders below. */
  brokerDir: string;
  dataDir: string;
  logsDir: string;
  configDir: string;
  /** Where scripts/install.sh put jars and binaries ($BROKERLAB_VENDOR or $BROKERLAB_HOME/vendor). */
  vendorDir: string;
}

/** How to spawn the long-running broker process (always detached, in its own process group). */
export interface NativeLaunch {
  command: string;
  args: string[];
  /** Added to (and overriding) the caller's environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Run as this user instead of the caller (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
}

/** Recorded in $BROKERLAB_HOME/brokers/<name>/state.json by the native runtime. */
export interface NativeState {
  runtime: 'native';
  pid: number;
  /** The process group we created (detached spawn => pgid === pid); `down` signals all of it. */
  pgid: number;
  /** ISO time. */
  startedAt: string;
  /**
   * The kernel's start time of `pid` (/proc/<pid>/stat field 22), so a recycled pid is never
   * mistaken for our broker. Absent where /proc is not available.
   */
  procStart?: string;
  /** The command line we ran, for humans reading the file. */
  command: string;
  /** Broker-specific facts needed to stop it, e.g. { epmdStartedByUs: true } for RabbitMQ. */
  extra: Record<string, unknown>;
}

/** One process of a broker made of several (the Kafka cluster's nodes). */
export interface NativeNode {
  /** The node's id (Kafka's node.id); its folders are $BROKERLAB_HOME/brokers/<name>/node-<id>. */
  id: number;
  /** Its ports on 127.0.0.1: `up` refuses to start this node if one is taken. */
  ports: number[];
  /** host:port a client reaches it at, for status. */
  address: string;
}

export interface NativeSpec {
  /**
   * A broker of several processes (the Kafka cluster): one entry per node. Each node has its
   * own folders (brokerDir/node-<id>/{data,logs,config}), its own state.json and its own
   * process group, so one node can be killed, paused and started again on its own; `prepare`
   * and `logFile` get the node's folders. Absent: the broker is one process.
   */
  nodes?: readonly NativeNode[];
  /** Throws EnvironmentError (with "Run: npm run setup") when the broker is not installed. */
  checkInstalled(dirs: NativeDirs): void;
  /**
   * Writes config files and does one-off preparation (Kafka storage format, initdb).
   * Returns facts to remember in state.json next to the launch. `previous` is the state of an
   * earlier run that died without `down` (e.g. killed by a fault), if any.
   */
  prepare(dirs: NativeDirs, previous?: NativeState, node?: NativeNode): Promise<{ launch: NativeLaunch; extra?: Record<string, unknown> }>;
  /** The file receiving the broker's stdout and stderr: the log to point people at. */
  logFile(dirs: NativeDirs): string;
  /**
   * A broker of several: called after `up` spawned the missing nodes, before it waits for
   * readiness, with every node's folders (node order), to join fresh nodes into the cluster
   * (RabbitMQ's join_cluster). A node that was a member already rejoins by itself.
   */
  formCluster?(nodes: ReadonlyArray<{ dirs: NativeDirs; node: NativeNode }>, timeoutMs: number): Promise<void>;
  /** Graceful stop if SIGTERM to the process group is not the right way (rabbitmqctl, pg_ctl). */
  stop?(dirs: NativeDirs, state: NativeState): Promise<void>;
  /** Clean up helpers the broker started outside its process group (RabbitMQ's epmd). */
  afterStop?(dirs: NativeDirs, state: NativeState): Promise<void>;
  /** How long a graceful stop may take before the process group gets SIGKILL. */
  stopGraceMs: number;
}

/**
 * One broker. Methods (not arrow properties) so a BrokerDefinition<'redis'> is usable where a
 * BrokerDefinition of any broker is expected.
 */
export interface BrokerDefinition<N extends BrokerName = BrokerName> {
  name: N;
  /** Human name for messages: "RabbitMQ". */
  label: string;
  /** Ports it needs on 127.0.0.1 (from ports.ts); `up` refuses to start if one is taken. */
  ports: number[];
  /** Where the native and compose runtimes make it answer. */
  defaultEndpoint: Endpoints[N];
  /** The environment variable that makes it external, e.g. BROKERLAB_REDIS_URL. */
  externalEnv: string;
  /** The endpoint from BROKERLAB_* variables, or undefined when its variable is not set. */
  fromEnv(env: NodeJS.ProcessEnv): Endpoints[N] | undefined;
  /** The main URL, for status and messages (passwords other than the default are hidden). */
  url(endpoint: Endpoints[N]): string;
  /** "BROKERLAB_REDIS_URL=redis://127.0.0.1:6379": how to use what already listens on the default port. */
  externalExample(): string;
  /** What the probe waits for, for messages: "describeCluster on 127.0.0.1:9092". */
  awaited(endpoint: Endpoints[N]): string;
  /** Resolves when the broker answers at the protocol level; rejects (with the reason) otherwise. */
  probe(endpoint: Endpoints[N], timeoutMs: number): Promise<void>;
  /**
   * For a broker of several nodes: the id of the node leading its quorum (Kafka's active
   * controller), or undefined when no node says; `status` marks it.
   */
  quorumLeader?(endpoint: Endpoints[N], timeoutMs: number): Promise<number | undefined>;
  /** Default for how long `up` waits for readiness. */
  startTimeoutMs: number;
  native: NativeSpec;
}
