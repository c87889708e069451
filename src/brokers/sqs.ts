/**
 * SQS, played by ElasticMQ (version from scripts/versions.env; >= 1.6.16 speaks the JSON
 * protocol of AWS SDK v3). Natively: one JVM with jars from vendor/elasticmq-<v>/lib.
 * Queue URLs name 127.0.0.1 rather than "localhost": recent AWS SDKs send requests to the
 * queue URL's host, and "localhost" may resolve to ::1 where nothing listens.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import type { BrokerDefinition, NativeDirs } from './definition.js';
import { displayUrl, hostPort } from './net.js';
import { HOST, PORTS, portsOf } from './ports.js';
import { findExecutable } from './process.js';
import { tildify, versions } from './versions.js';
import { labAwsClientConfig } from './aws.js';

/** The region ElasticMQ puts in queue ARNs (native and compose), and the one clients are told. */
export const SQS_REGION = 'us-east-1';
/** ElasticMQ's fixed account id, part of every queue URL and ARN. */
export const SQS_ACCOUNT_ID = '000000000000';

export const ELASTICMQ_HEAP = ['-Xms128m', '-Xmx256m'] as const;

/**
 * elasticmq.conf for a given bind address: 127.0.0.1 natively, 0.0.0.0 inside a container
 * (where the published port forwards to). Everything else is the same in both runtimes.
 */
export function elasticmqConf(bindHost: string): string {
  return [
    'include classpath("application.conf")',
    '',
    '# What queue URLs say: where clients on this machine reach ElasticMQ.',
    `node-address { protocol = "http", host = "${HOST}", port = ${PORTS.sqs.sqs}, context-path = "" }`,
    `rest-sqs { enabled = true, bind-port = ${PORTS.sqs.sqs}, bind-hostname = "${bindHost}", sqs-limits = strict }`,
    'generate-node-address = false',
    `aws { region = "${SQS_REGION}", accountId = "${SQS_ACCOUNT_ID}" }`,
    '',
  ].join('\n');
}

function libDir(dirs: NativeDirs): string {
  return join(dirs.vendorDir, `elasticmq-${versions().elasticmq}`, 'lib');
}

const DEFAULT_ENDPOINT = `http://${HOST}:${PORTS.sqs.sqs}`;

export const sqs: BrokerDefinition<'sqs'> = {
  name: 'sqs',
  label: 'SQS (ElasticMQ)',
  ports: portsOf('sqs'),
  defaultEndpoint: { endpoint: DEFAULT_ENDPOINT, region: SQS_REGION },
  externalEnv: 'BROKERLAB_SQS_ENDPOINT',
  startTimeoutMs: 30_000,

  fromEnv(env) {
    const endpoint = env.BROKERLAB_SQS_ENDPOINT?.trim().replace(/\/+$/, '');
    if (!endpoint) return undefined;
    return { endpoint, region: env.BROKERLAB_SQS_REGION?.trim() || env.AWS_REGION?.trim() || SQS_REGION };
  },
  url: (endpoint) => displayUrl(endpoint.endpoint),
  externalExample: () => `BROKERLAB_SQS_ENDPOINT=${DEFAULT_ENDPOINT}`,
  awaited: (endpoint) => `ListQueues on ${hostPort(endpoint.endpoint)}`,

  async probe(endpoint, timeoutMs) {
    const { SQSClient, ListQueuesCommand } = await import('@aws-sdk/client-sqs');
    // One attempt: the wait loop does the retrying.
    const client = new SQSClient(labAwsClientConfig(endpoint, 1));
    try {
      await client.send(new ListQueuesCommand({}), { abortSignal: AbortSignal.timeout(timeoutMs) });
    } finally {
      client.destroy();
    }
  },

  native: {
    stopGraceMs: 10_000,
    logFile: (dirs) => join(dirs.logsDir, 'elasticmq.log'),
    checkInstalled(dirs) {
      const lib = libDir(dirs);
      const hasJars = existsSync(lib) && readdirSync(lib).some((file) => file.startsWith('elasticmq-server'));
      if (!hasJars) {
        throw new EnvironmentError(
          `ElasticMQ ${versions().elasticmq} is not installed (no jars in ${tildify(lib)}). Run: npm run setup`,
        );
      }
      if (!findExecutable(['java'])) {
        throw new EnvironmentError('ElasticMQ needs Java 17 or newer, and there is no java on PATH. Run: npm run setup');
      }
    },
    async prepare(dirs) {
      const conf = join(dirs.configDir, 'elasticmq.conf');
      writeFileSync(conf, elasticmqConf(HOST));
      const java = findExecutable([...(process.env.JAVA_HOME ? [join(process.env.JAVA_HOME, 'bin', 'java')] : []), 'java']);
      return {
        launch: {
          command: java ?? 'java',
          args: [...ELASTICMQ_HEAP, `-Dconfig.file=${conf}`, '-cp', `${libDir(dirs)}/*`, 'org.elasticmq.server.Main'],
          cwd: dirs.dataDir,
        },
      };
    },
  },
};
