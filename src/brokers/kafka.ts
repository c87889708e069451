/**
 * Apache Kafka (version from scripts/versions.env) as a single KRaft node: broker and
 * controller in one JVM, jars from Maven Central in vendor/kafka-<v>/lib (see install.sh).
 * The compose service (apache/kafka image) gets the same settings as KAFKA_* variables; a
 * unit test checks that KAFKA_SHARED_SETTINGS appears there unchanged.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../errors.js';
import type { BrokerDefinition, NativeDirs, NativeLaunch } from './definition.js';
import { withTimeout } from './net.js';
import { HOST, KAFKA_PROXY_PORT, PORTS, portsOf } from './ports.js';
import { findExecutable, run } from './process.js';
import type { KafkaSasl } from './types.js';
import { tildify, versions } from './versions.js';

/**
 * Fixed KRaft cluster id (base64url of "brokerlab-kafka1"), used for the native storage format
 * and as CLUSTER_ID in compose, so both runtimes describe the same cluster.
 */
export const KAFKA_CLUSTER_ID = 'YnJva2VybGFiLWthZmthMQ';

/** JVM heap, set explicitly: the JVM default (1/4 of RAM) is far more than a lab broker needs. */
export const KAFKA_HEAP = ['-Xms512m', '-Xmx512m'] as const;

/** server.properties shared by native and compose. Only listeners and log.dirs differ. */
/** The longest consumer-group session the lab's Kafka grants (`group.max.session.timeout.ms`):
 *  how long a run may have to wait for a killed member before it can delete its groups. */
export const KAFKA_MAX_SESSION_TIMEOUT_MS = 60_000;

export const KAFKA_SHARED_SETTINGS: Readonly<Record<string, string>> = {
  'process.roles': 'broker,controller',
  'node.id': '1',
  'controller.quorum.voters': `1@${HOST}:${PORTS.kafka.controller}`,
  'controller.listener.names': 'CONTROLLER',
  'inter.broker.listener.name': 'PLAINTEXT',
  'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PROXIED:PLAINTEXT',
  // Clients are always told 127.0.0.1:9092, whether Kafka runs natively or in a container.
  // A client that came in through the lab's toxiproxy (a network fault on Kafka) came to the
  // PROXIED listener, and is told the proxy's address: it stays behind the proxy.
  'advertised.listeners': `PLAINTEXT://${HOST}:${PORTS.kafka.broker},PROXIED://${HOST}:${KAFKA_PROXY_PORT}`,
  // One node: every internal topic has one replica and an ISR of one.
  'offsets.topic.replication.factor': '1',
  'transaction.state.log.replication.factor': '1',
  'transaction.state.log.min.isr': '1',
  'default.replication.factor': '1',
  'min.insync.replicas': '1',
  // Fewer internal partitions (default 50) make the first consumer group and the first
  // transaction start in well under a second.
  'offsets.topic.num.partitions': '10',
  'transaction.state.log.num.partitions': '10',
  // Consumer groups rebalance at once instead of waiting 3s for more members.
  'group.initial.rebalance.delay.ms': '0',
  // The exercises' consumers use a 2 s session (labs/kafka-consumer-group/ledger.ts) so a
  // killed member is noticed in seconds; the broker refuses sessions under 6 s by default.
  'group.min.session.timeout.ms': '1000',
  // A killed member keeps its group from being deleted until its session times out, and a run
  // deletes its groups before it ends: the broker's 30-minute ceiling would leave them behind.
  // A minute still takes every client's default (kafkajs 30 s, librdkafka and Java 45 s).
  'group.max.session.timeout.ms': String(KAFKA_MAX_SESSION_TIMEOUT_MS),
  // After a crash (kill -9, a fault the lab injects) the restarted broker cannot register until
  // the controller expires its previous session: 9s by default, 3s here.
  'broker.session.timeout.ms': '3000',
  'broker.heartbeat.interval.ms': '1000',
  // Exercises create their topics explicitly; a typo must fail, not create a topic.
  'auto.create.topics.enable': 'false',
  'delete.topic.enable': 'true',
  'num.partitions': '1',
};

export function libDir(dirs: NativeDirs): string {
  return join(dirs.vendorDir, `kafka-${versions().kafka}`, 'lib');
}

function serverProperties(dirs: NativeDirs): string {
  const settings: Record<string, string> = {
    ...KAFKA_SHARED_SETTINGS,
    listeners: `PLAINTEXT://${HOST}:${PORTS.kafka.broker},CONTROLLER://${HOST}:${PORTS.kafka.controller},PROXIED://${HOST}:${PORTS.kafka.proxied}`,
    'log.dirs': join(dirs.dataDir, 'kraft-logs'),
  };
  const lines = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
  return ['# Written by brokerlab on every start; edits are overwritten.', ...lines, ''].join('\n');
}

/** reload4j (the slf4j binding on the classpath): everything to stdout, i.e. logs/server.log. */
export const LOG4J_PROPERTIES = [
  'log4j.rootLogger=INFO, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  // The request logger and the state-change logger are very chatty at INFO.
  'log4j.logger.kafka.request.logger=WARN',
  'log4j.logger.state.change.logger=WARN',
  'log4j.logger.org.apache.kafka.clients=WARN',
  '',
].join('\n');

/** The java to run Kafka and its tools with: $JAVA_HOME's, else the one on PATH. */
export function java(): string {
  return findExecutable([...(process.env.JAVA_HOME ? [join(process.env.JAVA_HOME, 'bin', 'java')] : []), 'java']) ?? 'java';
}

const SASL_MECHANISMS: ReadonlyArray<KafkaSasl['mechanism']> = ['plain', 'scram-sha-256', 'scram-sha-512'];

/**
 * SASL credentials from BROKERLAB_KAFKA_SASL_MECHANISM/USERNAME/PASSWORD (a secured cluster,
 * e.g. a workshop's), or undefined when none is set. Half a set is a usage error, not a
 * silent fallback to an unauthenticated connection.
 */
export function kafkaSaslFromEnv(env: NodeJS.ProcessEnv): KafkaSasl | undefined {
  const mechanism = env.BROKERLAB_KAFKA_SASL_MECHANISM?.trim().toLowerCase() ?? '';
  const username = env.BROKERLAB_KAFKA_SASL_USERNAME ?? '';
  const password = env.BROKERLAB_KAFKA_SASL_PASSWORD ?? '';
  if (mechanism === '' && username === '' && password === '') return undefined;
  if (!SASL_MECHANISMS.includes(mechanism as KafkaSasl['mechanism'])) {
    throw new UsageError(`BROKERLAB_KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')} (got "${mechanism}")`);
  }
  if (username === '' || password === '') {
    throw new UsageError('Kafka SASL needs both BROKERLAB_KAFKA_SASL_USERNAME and BROKERLAB_KAFKA_SASL_PASSWORD');
  }
  return { mechanism, username, password } as KafkaSasl;
}

/** Throws when Kafka's jars or a java are missing (the single node and the cluster share them). */
export function checkKafkaInstalled(dirs: NativeDirs): void {
  const lib = libDir(dirs);
  const hasJars = existsSync(lib) && readdirSync(lib).some((file) => file.startsWith('kafka_') && file.endsWith('.jar'));
  if (!hasJars) {
    throw new EnvironmentError(`Kafka ${versions().kafka} is not installed (no jars in ${tildify(lib)}). Run: npm run setup`);
  }
  if (!findExecutable(['java'])) {
    throw new EnvironmentError('Kafka needs Java 17 or newer, and there is no java on PATH. Run: npm run setup');
  }
}

/**
 * Writes one KRaft node's server.properties and log4j.properties into dirs.configDir, formats
 * its storage the first time (meta.properties marks a formatted log dir), and returns how to
 * launch it. The single node and each node of the cluster start this way.
 */
export async function prepareKafkaNode(dirs: NativeDirs, properties: string, clusterId: string, jvmOptions: readonly string[]): Promise<{ launch: NativeLaunch }> {
  const propertiesFile = join(dirs.configDir, 'server.properties');
  const log4j = join(dirs.configDir, 'log4j.properties');
  writeFileSync(propertiesFile, properties);
  writeFileSync(log4j, LOG4J_PROPERTIES);
  const classpath = `${libDir(dirs)}/*`;
  const log4jFlag = `-Dlog4j.configuration=file:${log4j}`;
  if (!existsSync(join(dirs.dataDir, 'kraft-logs', 'meta.properties'))) {
    const format = await run(
      java(),
      ['-Xmx256m', log4jFlag, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile],
      { timeoutMs: 60_000 },
    );
    if (format.code !== 0) {
      throw new EnvironmentError(`cannot format Kafka's storage in ${tildify(dirs.dataDir)}: ${format.output.trim().split('\n').pop()}`);
    }
  }
  return {
    launch: {
      command: java(),
      args: [
        ...jvmOptions,
        '-Djava.awt.headless=true',
        log4jFlag,
        `-Dkafka.logs.dir=${dirs.logsDir}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        propertiesFile,
      ],
      cwd: dirs.dataDir,
    },
  };
}

/** One describeCluster, in one attempt (the wait loop does the retrying): the node ids that answer. */
export async function describeKafka(endpoint: { brokers: string[]; sasl?: KafkaSasl }, timeoutMs: number): Promise<{ brokers: Array<{ nodeId: number }> }> {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const client = new Kafka({
    clientId: 'brokerlab-probe',
    brokers: endpoint.brokers,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
    ...(endpoint.sasl ? { sasl: endpoint.sasl } : {}),
  });
  const admin = client.admin();
  try {
    return await withTimeout(
      admin.connect().then(() => admin.describeCluster()),
      timeoutMs,
      'Kafka describeCluster',
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * A Kafka endpoint from a bootstrap list in `variable` ("host:9092,host2:9092"; a scheme some
 * tools print, PLAINTEXT://host:9092, is dropped) with the SASL login of BROKERLAB_KAFKA_SASL_*,
 * or undefined when the variable is empty. The single node and the cluster read it alike.
 */
export function kafkaEndpointFromEnv(env: NodeJS.ProcessEnv, variable: string): { brokers: string[]; sasl?: KafkaSasl } | undefined {
  const raw = env[variable]?.trim();
  if (!raw) return undefined;
  const brokers = raw
    .split(',')
    .map((broker) => broker.trim().replace(/^[a-z_]+:\/\//i, ''))
    .filter((broker) => broker !== '');
  if (brokers.length === 0) return undefined;
  const sasl = kafkaSaslFromEnv(env);
  return sasl ? { brokers, sasl } : { brokers };
}

export const kafka: BrokerDefinition<'kafka'> = {
  name: 'kafka',
  label: 'Kafka',
  ports: portsOf('kafka'),
  defaultEndpoint: { brokers: [`${HOST}:${PORTS.kafka.broker}`] },
  externalEnv: 'BROKERLAB_KAFKA_BROKERS',
  startTimeoutMs: 60_000,

  fromEnv: (env) => kafkaEndpointFromEnv(env, 'BROKERLAB_KAFKA_BROKERS'),
  url: (endpoint) => endpoint.brokers.join(','),
  externalExample: () => `BROKERLAB_KAFKA_BROKERS=${HOST}:${PORTS.kafka.broker}`,
  awaited: (endpoint) => `describeCluster on ${endpoint.brokers.join(',')}`,

  async probe(endpoint, timeoutMs) {
    const cluster = await describeKafka(endpoint, timeoutMs);
    if (cluster.brokers.length === 0) throw new Error('describeCluster listed no brokers');
  },

  native: {
    stopGraceMs: 30_000,
    logFile: (dirs) => join(dirs.logsDir, 'server.log'),
    checkInstalled: checkKafkaInstalled,
    async prepare(dirs) {
      return prepareKafkaNode(dirs, serverProperties(dirs), KAFKA_CLUSTER_ID, [...KAFKA_HEAP, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20']);
    },
  },
};
