/**
 * Google Cloud Pub/Sub, played by the Go client library's fake server (pstest, version from
 * scripts/versions.env) that tools/pubsub-emulator serves on a port: every Pub/Sub client
 * reaches it through PUBSUB_EMULATOR_HOST, as it would Google's own emulator.
 *
 * Why pstest and not Google's emulator: Google's ships with the Cloud SDK, which the package
 * registries brokerlab installs from do not serve; pstest is a Go module, built by install.sh
 * into vendor/pubsub-emulator-<v>. It implements what the exercises use (topics,
 * subscriptions with filters, ack deadlines, dead-letter policies, ordering keys); it keeps
 * everything in memory, so a restart starts empty. It speaks gRPC only (no REST).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import type { BrokerDefinition, NativeDirs } from './definition.js';
import { withTimeout } from './net.js';
import { HOST, PORTS, portsOf } from './ports.js';
import { tildify, versions } from './versions.js';

/** The project every lab topic and subscription lives in (an emulator takes any name). */
export const PUBSUB_PROJECT = 'brokerlab';

const DEFAULT_HOST = `${HOST}:${PORTS.pubsub.grpc}`;

function serverBinary(dirs: NativeDirs): string {
  return join(dirs.vendorDir, `pubsub-emulator-${versions().pubsub}`, 'bin', 'pubsub-emulator');
}

/** A Pub/Sub client of the lab's on an emulator: no credentials, no metadata-server lookup. */
export async function connectPubsub(endpoint: { emulatorHost: string; projectId: string }): Promise<import('@google-cloud/pubsub').PubSub> {
  // The library asks Google's metadata server whether it runs on Google Cloud; a lab never does.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const { PubSub } = await import('@google-cloud/pubsub');
  return new PubSub({ projectId: endpoint.projectId, apiEndpoint: endpoint.emulatorHost, emulatorMode: true });
}

export const pubsub: BrokerDefinition<'pubsub'> = {
  name: 'pubsub',
  label: 'Pub/Sub (emulator)',
  ports: portsOf('pubsub'),
  defaultEndpoint: { emulatorHost: DEFAULT_HOST, projectId: PUBSUB_PROJECT },
  externalEnv: 'BROKERLAB_PUBSUB_EMULATOR_HOST',
  startTimeoutMs: 15_000,

  fromEnv(env) {
    const emulatorHost = env.BROKERLAB_PUBSUB_EMULATOR_HOST?.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
    if (!emulatorHost) return undefined;
    return { emulatorHost, projectId: env.BROKERLAB_PUBSUB_PROJECT?.trim() || PUBSUB_PROJECT };
  },
  url: (endpoint) => `${endpoint.emulatorHost} (project ${endpoint.projectId})`,
  externalExample: () => `BROKERLAB_PUBSUB_EMULATOR_HOST=${DEFAULT_HOST}`,
  awaited: (endpoint) => `ListTopics on ${endpoint.emulatorHost}`,

  async probe(endpoint, timeoutMs) {
    const client = await connectPubsub(endpoint);
    try {
      await withTimeout(client.getTopics({ autoPaginate: false, pageSize: 1 }), timeoutMs, 'Pub/Sub ListTopics');
    } finally {
      await client.close().catch(() => {});
    }
  },

  native: {
    stopGraceMs: 5_000,
    logFile: (dirs) => join(dirs.logsDir, 'pubsub.log'),
    checkInstalled(dirs) {
      const binary = serverBinary(dirs);
      if (!existsSync(binary)) {
        throw new EnvironmentError(`the Pub/Sub emulator (pstest ${versions().pubsub}) is not installed (no ${tildify(binary)}). Run: npm run setup`);
      }
    },
    async prepare(dirs) {
      return { launch: { command: serverBinary(dirs), args: ['-host', HOST, '-port', String(PORTS.pubsub.grpc)], cwd: dirs.dataDir } };
    },
  },
};
