/**
 * The one owner of a run's namespace format: every name a run creates in a broker (Redis
 * keys and channels, a RabbitMQ vhost, Kafka topics and consumer groups, SQS queues) starts
 * with it.
 *
 * Definitions:
 * - run namespace: "bl-<UTC start time, 14 digits><4 random characters>", derived from the
 *   run id ("20261203-074528-79oe-<exercise>" -> "bl-2026120307452879oe").
 * - stale: a run namespace whose run started longer ago than any run can last: its run's
 *   brokerlab was killed before it could clean up, and `brokerlab up` sweeps it.
 * - shared mode: many learners grade against one real cluster (a workshop's, see
 *   `brokerlab workshop provision`), each confined by the cluster's permissions to names
 *   under their own prefix. BROKERLAB_NAMESPACE is that prefix ("bl-alice"); every run then
 *   names its topics, groups, keys and channels inside it. (RabbitMQ confines by vhost
 *   instead: runs use the learner's BROKERLAB_RABBITMQ_VHOST, see the rabbitmq endpoint.)
 * - bench namespace: "bl-bench-<time><random>", the same idea for `brokerlab bench`.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { startedLongAgo } from '../runner/stragglers.js';

/** Every name brokerlab creates in a broker starts with this. */
export const NAMESPACE_PREFIX = 'bl-';

/** How a broker joins a prefix and a name: "." in Kafka and RabbitMQ, ":" in Redis. */
export type Separator = '.' | ':';

// "." in Kafka and RabbitMQ, ":" in Redis, "-" in SQS (whose queue names take neither).
const RUN_NAMESPACE = /^(bl-(\d{14})[a-z0-9]{4})(?:[.:-]|$)/;

/** A new run's id: its UTC start time, 4 random characters and the exercise
 *  ("20261203-074528-79oe-redis-pubsub-notifier"). `now`: a run started then (tests). */
export function newRunId(exercise: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const random = Math.random().toString(36).slice(2, 6);
  return `${stamp}-${random}-${exercise}`;
}

/** The run namespace of a run id ("20261203-074528-79oe-redis-pubsub-notifier"). */
export function runNamespaceOf(runId: string): string {
  return `${NAMESPACE_PREFIX}${runId.split('-').slice(0, 3).join('')}`;
}

/** A fresh namespace for one `brokerlab bench` run. */
export function benchNamespace(): string {
  return `${NAMESPACE_PREFIX}bench-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}

/** True when a vhost, key, topic or group name is any run's or bench's (starts with "bl-"). */
export function isBrokerlabName(name: string): boolean {
  return name.startsWith(NAMESPACE_PREFIX);
}

/** The run namespace a broker name belongs to, if that run is long over by `now`. */
export function staleNamespaceOf(name: string, now: Date): string | undefined {
  const m = RUN_NAMESPACE.exec(name);
  return m?.[1] && m[2] && startedLongAgo(m[2], now) ? m[1] : undefined;
}

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
 * The prefix for one run's names in a broker whose names are joined with `separator`: the
 * run's own namespace, inside the learner's prefix in shared mode
 * ("bl-alice.bl-20250101120000abcd").
 */
export function scopedNamespace(runNamespace: string, shared: SharedNamespace | undefined, separator: Separator): string {
  return shared ? `${shared.prefix}${separator}${runNamespace}` : runNamespace;
}
