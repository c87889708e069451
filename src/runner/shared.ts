/**
 * Shared-cluster mode: many learners grade against one real cluster (a workshop's, see
 * `brokerlab workshop provision`), each confined by the cluster's permissions to names under
 * their own prefix. BROKERLAB_NAMESPACE is that prefix ("bl-alice"); every run then names its
 * topics, groups, keys and channels inside it. (RabbitMQ confines by vhost instead: runs use
 * the learner's BROKERLAB_RABBITMQ_VHOST, see the rabbitmq endpoint.)
 */
import { UsageError } from '../errors.js';

export interface SharedNamespace {
  /** The learner's confinement prefix, e.g. "bl-alice". */
  prefix: string;
}

/** Valid as the start of a Kafka topic name and a Redis key, and harmless in a URL path. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The shared namespace from the environment, or undefined when each run may create its own names. */
export function sharedNamespace(env: NodeJS.ProcessEnv = process.env): SharedNamespace | undefined {
  const prefix = env.BROKERLAB_NAMESPACE?.trim() ?? '';
  if (prefix === '') return undefined;
  if (!SAFE_NAME.test(prefix)) {
    throw new UsageError(`BROKERLAB_NAMESPACE must be letters, digits, ".", "_" or "-" (got "${prefix}")`);
  }
  return { prefix };
}

/**
 * The prefix for one run's names in a broker whose names are joined with `separator`
 * ("." in Kafka, ":" in Redis): the run's own namespace, inside the learner's prefix in
 * shared mode ("bl-alice.bl-20250101120000abcd").
 */
export function scopedNamespace(runNamespace: string, shared: SharedNamespace | undefined, separator: '.' | ':'): string {
  return shared ? `${shared.prefix}${separator}${runNamespace}` : runNamespace;
}
