/**
 * SNS, played by moto's server (version from scripts/versions.env), with the SQS queues its
 * topics fan out to: moto serves both APIs on one port, and a subscription delivers only to
 * moto's own queues, so an SNS exercise's queues live here, not in ElasticMQ.
 *
 * Why moto and not goaws (the other emulator that runs here): moto applies filter policies
 * the way SNS does (attribute and body scope, prefix, numeric, anything-but, exists), honours
 * RawMessageDelivery, and speaks the JSON protocol recent SQS clients use; goaws matches
 * filter policies on exact strings only. Natively: a venv in vendor/moto-<v> (install.sh),
 * kept apart from the learners' Python so neither pins the other's packages.
 * State is in memory: a restart starts empty.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import type { BrokerDefinition, NativeDirs } from './definition.js';
import { displayUrl, hostPort } from './net.js';
import { HOST, PORTS, portsOf } from './ports.js';
import { tildify, versions } from './versions.js';
import { labAwsClientConfig } from './aws.js';

/** The region clients are told, and the one moto puts in topic and queue ARNs. */
export const SNS_REGION = 'us-east-1';
/** moto's default account id, part of every topic ARN and queue URL. */
export const SNS_ACCOUNT_ID = '123456789012';

const DEFAULT_ENDPOINT = `http://${HOST}:${PORTS.sns.sns}`;

function serverBinary(dirs: NativeDirs): string {
  return join(dirs.vendorDir, `moto-${versions().moto}`, 'bin', 'moto_server');
}

export const sns: BrokerDefinition<'sns'> = {
  name: 'sns',
  label: 'SNS (moto)',
  ports: portsOf('sns'),
  defaultEndpoint: { endpoint: DEFAULT_ENDPOINT, region: SNS_REGION },
  externalEnv: 'BROKERLAB_SNS_ENDPOINT',
  startTimeoutMs: 30_000,

  fromEnv(env) {
    const endpoint = env.BROKERLAB_SNS_ENDPOINT?.trim().replace(/\/+$/, '');
    if (!endpoint) return undefined;
    return { endpoint, region: env.BROKERLAB_SNS_REGION?.trim() || env.AWS_REGION?.trim() || SNS_REGION };
  },
  url: (endpoint) => displayUrl(endpoint.endpoint),
  externalExample: () => `BROKERLAB_SNS_ENDPOINT=${DEFAULT_ENDPOINT}`,
  awaited: (endpoint) => `ListTopics on ${hostPort(endpoint.endpoint)}`,

  async probe(endpoint, timeoutMs) {
    const { SNSClient, ListTopicsCommand } = await import('@aws-sdk/client-sns');
    // One attempt: the wait loop does the retrying.
    const client = new SNSClient(labAwsClientConfig(endpoint, 1));
    try {
      await client.send(new ListTopicsCommand({}), { abortSignal: AbortSignal.timeout(timeoutMs) });
    } finally {
      client.destroy();
    }
  },

  native: {
    stopGraceMs: 5_000,
    logFile: (dirs) => join(dirs.logsDir, 'moto.log'),
    checkInstalled(dirs) {
      const binary = serverBinary(dirs);
      if (!existsSync(binary)) {
        throw new EnvironmentError(`moto ${versions().moto} (SNS) is not installed (no ${tildify(binary)}). Run: npm run setup`);
      }
    },
    async prepare(dirs) {
      return {
        launch: {
          command: serverBinary(dirs),
          args: ['-H', HOST, '-p', String(PORTS.sns.sns)],
          // Its request log reaches the log file as it happens, not when a buffer fills.
          env: { PYTHONUNBUFFERED: '1' },
          cwd: dirs.dataDir,
        },
      };
    },
  },
};
