/**
 * What the rest of brokerlab knows about brokers: their names, where they listen, and how
 * they were started. Each broker is one module in this folder; each runtime (native,
 * compose, external) is one module in ./runtimes. The runner only ever sees `Endpoints`.
 */

/** Every broker (and helper service) brokerlab can run. Order = start order for `up`. */
export const BROKER_NAMES = ['redis', 'rabbitmq', 'rabbitmq-cluster', 'kafka', 'kafka-cluster', 'sqs', 'sns', 'pubsub', 'postgres', 'toxiproxy', 'prometheus'] as const;
export type BrokerName = (typeof BROKER_NAMES)[number];

/**
 * Brokers `brokerlab up` starts only when named (or when a scenario needs them): the 3-node
 * clusters are three more Erlang VMs or JVMs, which nothing but its own exercises uses. `down` and
 * `status` without names still include them.
 */
export const ON_DEMAND_BROKERS: readonly BrokerName[] = ['rabbitmq-cluster', 'kafka-cluster'];

/** How a broker came to be running. */
export type RuntimeKind = 'native' | 'compose' | 'external';

/** Where each broker answers. Native and compose use the same ports (see ports.ts). */
export interface Endpoints {
  redis: { url: string };
  rabbitmq: {
    /** amqp://user:pass@host:port (no vhost: the runner adds the run's own vhost). */
    amqpUrl: string;
    /** http://host:15672, used to create and delete each run's vhost. */
    managementUrl: string;
    username: string;
    password: string;
    /**
     * The one vhost this user may use, when it may not create its own (a shared workshop
     * cluster: BROKERLAB_RABBITMQ_VHOST). Runs use it instead of a vhost each; the probe opens it.
     */
    vhost?: string;
  };
  /**
   * The 3-node RabbitMQ cluster: one AMQP URL per node (no vhost: the runner adds the run's),
   * and one management API (any node's answers for the whole cluster; node 1's by default).
   */
  'rabbitmq-cluster': {
    amqpUrls: string[];
    managementUrl: string;
    username: string;
    password: string;
  };
  kafka: {
    brokers: string[];
    /** SASL credentials (BROKERLAB_KAFKA_SASL_*), e.g. a learner's on a shared workshop cluster. */
    sasl?: KafkaSasl;
  };
  /** The 3-node cluster: a bootstrap list of all its nodes (the same shape as the single node's). */
  'kafka-cluster': {
    brokers: string[];
    sasl?: KafkaSasl;
  };
  sqs: { endpoint: string; region: string };
  /** SNS and the SQS queues subscribed to its topics: one endpoint serves both APIs. */
  sns: { endpoint: string; region: string };
  /** A Pub/Sub emulator: host:port as PUBSUB_EMULATOR_HOST takes it, and the project the lab uses. */
  pubsub: { emulatorHost: string; projectId: string };
  postgres: { url: string };
  toxiproxy: { apiUrl: string };
  prometheus: { url: string };
}

/** kafkajs's SASL options for username/password mechanisms (lowercase, as kafkajs wants them);
 *  one object type per mechanism, as kafkajs's own types are. */
export type KafkaSasl =
  | { mechanism: 'plain'; username: string; password: string }
  | { mechanism: 'scram-sha-256'; username: string; password: string }
  | { mechanism: 'scram-sha-512'; username: string; password: string };

/** One line of `brokerlab status`. */
export interface BrokerStatus {
  name: BrokerName;
  runtime: RuntimeKind;
  /** The main URL a learner would use. */
  url: string;
  /** degraded: a broker of several nodes answers, but some of its nodes are down or paused. */
  health: 'healthy' | 'unreachable' | 'starting' | 'degraded';
  /** How it was started: "native, pid 1234, started 12:01 by brokerlab", "external (BROKERLAB_REDIS_URL)". */
  detail: string;
  /** A broker of several processes (the Kafka cluster): one line per node. */
  nodes?: NodeStatus[];
}

/** One node of a broker of several processes, for `brokerlab status`. */
export interface NodeStatus {
  id: number;
  /** host:port a client reaches this node at. */
  address: string;
  /** up: its process runs (native) or it answers; paused: SIGSTOPped by a fault; down: neither. */
  state: 'up' | 'paused' | 'down';
  /** True for the node that leads the KRaft quorum (the active controller), when known. */
  controller: boolean;
  /** "pid 1234" natively. */
  detail: string;
}
