/**
 * The one table of ports. The native runtime, compose/docker-compose.yml and the default
 * endpoints all use these numbers (a unit test checks the compose file against this table),
 * so a learner's program sees the same addresses whichever way the brokers were started.
 * Everything listens on 127.0.0.1 only: brokerlab runs lab brokers, not shared services.
 */

/** The only interface brokers bind to, natively and as published compose ports. */
export const HOST = '127.0.0.1';

export const PORTS = {
  redis: { redis: 6379 },
  rabbitmq: {
    amqp: 5672,
    /** Management UI and HTTP API (used to create and delete each run's vhost). */
    management: 15_672,
    /** rabbitmq_prometheus: /metrics. */
    prometheus: 15_692,
    /** Erlang distribution (rabbitmqctl talks to the node through it); AMQP port + 20000. */
    distribution: 25_672,
  },
  kafka: {
    broker: 9092,
    /** The KRaft controller listener; clients never use it. */
    controller: 9093,
    /** A listener only toxiproxy connects to, for network faults: it advertises the proxy's
     *  address (KAFKA_PROXY_PORT), so a client that bootstrapped through the proxy stays on it. */
    proxied: 9094,
  },
  /**
   * ElasticMQ. Older ElasticMQ releases had a statistics endpoint on 9325; 1.7.x has none,
   * so nothing listens there and brokerlab does not reserve it.
   */
  /**
   * The 3-node Kafka cluster (kafka-cluster.ts): node N's client listener on 910N and its KRaft
   * controller listener on 911N, clear of the single node's 9092-9095.
   */
  'kafka-cluster': {
    node1: 9101,
    node2: 9102,
    node3: 9103,
    controller1: 9111,
    controller2: 9112,
    controller3: 9113,
  },
  /**
   * The 3-node RabbitMQ cluster (rabbitmq-cluster.ts): node N's AMQP on 568N, management on
   * 1568N and Erlang distribution on 2568N (AMQP + 20000, as the single node), clear of the
   * single node's 5672/15672/15692/25672. No prometheus plugin on the cluster.
   */
  'rabbitmq-cluster': {
    amqp1: 5681,
    amqp2: 5682,
    amqp3: 5683,
    management1: 15_681,
    management2: 15_682,
    management3: 15_683,
    distribution1: 25_681,
    distribution2: 25_682,
    distribution3: 25_683,
  },
  sqs: { sqs: 9324 },
  /** moto's server: SNS, and the SQS queues its topics fan out to (its own, not ElasticMQ's). */
  sns: { sns: 9326 },
  /** The Pub/Sub emulator (gRPC), on the port Google's own emulator uses by default. */
  pubsub: { grpc: 8085 },
  postgres: { postgres: 5432 },
  /** Prometheus's web UI and API (scrapes RabbitMQ's and the learners' /metrics). */
  prometheus: { web: 9090 },
  /** The toxiproxy HTTP API; the proxies it creates listen on ports the runner chooses. */
  toxiproxy: { api: 8474 },
} as const;

/** Where toxiproxy listens for Kafka during a run with a network fault on Kafka: fixed,
 *  because Kafka advertises it (the proxied listener), unlike the other brokers' proxies. */
export const KAFKA_PROXY_PORT = 9095;

/** Erlang's port mapper daemon; RabbitMQ starts it if nobody else has. */
export const EPMD_PORT = 4369;

/** Every port a broker needs free on 127.0.0.1 before it can start. */
export function portsOf(name: keyof typeof PORTS): number[] {
  return Object.values(PORTS[name]);
}
