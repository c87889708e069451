/**
 * Pinned versions of what the native runtime runs, read from scripts/versions.env so the
 * installer (scripts/install.sh) and this code can never disagree. Also: where the repository,
 * brokerlab's home and the vendored jars/binaries are.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT, brokerlabHome } from '../paths.js';

export { brokerlabHome };

export interface Versions {
  /** Apache Kafka, e.g. "3.9.2" (jars in vendor/kafka-<v>/lib). */
  kafka: string;
  /** ElasticMQ, e.g. "1.7.1" (jars in vendor/elasticmq-<v>/lib). */
  elasticmq: string;
  /** Shopify toxiproxy, a Go module version with its "v", e.g. "v2.12.0". */
  toxiproxy: string;
  /** moto, whose server plays SNS, e.g. "5.2.5" (a venv in vendor/moto-<v>). */
  moto: string;
  /** cloud.google.com/go/pubsub/v2, whose pstest plays Pub/Sub, e.g. "v2.9.0" (tools/pubsub-emulator). */
  pubsub: string;
}

const VERSIONS_FILE = join('scripts', 'versions.env');

/** The repository (or installed package) root; see paths.ts. */
export function repoRoot(): string {
  return PACKAGE_ROOT;
}

/** Parses KEY=VALUE lines; `#` comments and blank lines are ignored, quotes are stripped. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

let cached: Versions | undefined;

export function versions(): Versions {
  if (cached) return cached;
  const file = join(repoRoot(), VERSIONS_FILE);
  const env = parseEnvFile(readFileSync(file, 'utf8'));
  const get = (key: string): string => {
    const value = env[key];
    if (!value) throw new Error(`brokerlab: ${key} is missing from ${file}`);
    return value;
  };
  cached = {
    kafka: get('KAFKA_VERSION'),
    elasticmq: get('ELASTICMQ_VERSION'),
    toxiproxy: get('TOXIPROXY_VERSION'),
    moto: get('MOTO_VERSION'),
    pubsub: get('PUBSUB_VERSION'),
  };
  return cached;
}

/**
 * Where scripts/install.sh put the Kafka/ElasticMQ jars and the toxiproxy binary:
 * $BROKERLAB_VENDOR, default $BROKERLAB_HOME/vendor. Separate so tests can use a throwaway
 * home while reusing the installed jars.
 */
export function vendorDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.BROKERLAB_VENDOR || join(brokerlabHome(env), 'vendor'));
}

/** Shows paths under the user's home directory as ~/..., for messages. */
export function tildify(path: string): string {
  const home = homedir();
  return path === home || path.startsWith(home + '/') ? '~' + path.slice(home.length) : path;
}
