/**
 * Redis for a workshop: per learner an ACL user "<slug>" confined to keys and Pub/Sub
 * channels under "bl-<slug>:". Everything else is allowed except the administrative and
 * dangerous commands (KEYS, FLUSHALL, CONFIG, ...); INFO comes back because client
 * libraries (ioredis) run it on connect to see whether the server is ready.
 * A user is brokerlab's when its only key pattern is the learner's prefix: anything else
 * is left alone, never overwritten or deleted.
 */
import { Redis } from 'ioredis';
import { deleteKeys } from '../namespaces/redis.js';
import { EnvironmentError, UsageError, throwIfInterrupted } from '../errors.js';
import { type Account, type Learner, namespaceOf } from './roster.js';

export function keyPattern(slug: string): string {
  return `${namespaceOf(slug)}:*`;
}

/** The ACL SETUSER rules: `reset` first, so provisioning again gives exactly the same user. */
export function aclRules(slug: string, password: string): string[] {
  return ['reset', 'on', `>${password}`, `~${keyPattern(slug)}`, `&${keyPattern(slug)}`, '+@all', '-@admin', '-@dangerous', '+info'];
}

async function connect(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false });
  let lastError: Error | undefined;
  client.on('error', (error: Error) => (lastError = error));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new EnvironmentError(`Redis is not reachable with BROKERLAB_REDIS_URL (${(lastError ?? (error as Error)).message})`);
  }
  return client;
}

/** Runs `work` as the admin; a NOPERM (the URL's user may not manage ACLs) becomes one clear line. */
async function asAdmin<T>(url: string, work: (client: Redis) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await work(client);
  } catch (error) {
    if (/NOPERM|NOAUTH|WRONGPASS/.test(String(error))) {
      throw new EnvironmentError(`Redis refused the admin's command (${(error as Error).message}); BROKERLAB_REDIS_URL must log in as a user allowed to run ACL commands`);
    }
    throw error;
  } finally {
    client.disconnect();
  }
}

/** undefined: no such user; true: a user brokerlab created for this learner; false: somebody else's. */
async function isOurs(client: Redis, slug: string): Promise<boolean | undefined> {
  const info = (await client.call('ACL', 'GETUSER', slug)) as unknown[] | null;
  if (info === null) return undefined;
  const keys = info[info.indexOf('keys') + 1];
  // Redis 7 answers "~pattern ..."; Redis 6.2 a list of patterns without the "~".
  return Array.isArray(keys) ? keys.length === 1 && keys[0] === keyPattern(slug) : keys === `~${keyPattern(slug)}`;
}

/** ACL SAVE when the server keeps its users in an ACL file; without one they live in memory (and in CONFIG REWRITE's hands). */
async function saveAcl(client: Redis): Promise<void> {
  try {
    await client.call('ACL', 'SAVE');
  } catch (error) {
    if (!/not configured to use an ACL file/i.test(String(error))) throw error;
  }
}

export async function checkRedisUsers(url: string, learners: readonly Learner[]): Promise<void> {
  await asAdmin(url, async (client) => {
    for (const learner of learners) {
      if ((await isOurs(client, learner.slug)) === false) {
        throw new UsageError(`Redis already has a user "${learner.slug}" that brokerlab did not create; give this learner another name in the roster's learner column`);
      }
    }
  });
}

export async function provisionRedis(url: string, accounts: readonly Account[], signal?: AbortSignal): Promise<void> {
  await asAdmin(url, async (client) => {
    for (const { learner, password } of accounts) {
      throwIfInterrupted(signal);
      await client.call('ACL', 'SETUSER', learner.slug, ...aclRules(learner.slug, password));
    }
    await saveAcl(client);
  });
}

/** Deletes every key under each learner's prefix, then the user (which also disconnects its clients). */
export async function teardownRedis(url: string, learners: readonly Learner[], signal?: AbortSignal): Promise<string[]> {
  return asAdmin(url, async (client) => {
    const removed: string[] = [];
    for (const learner of learners) {
      throwIfInterrupted(signal);
      const keys = await deleteKeys(client, keyPattern(learner.slug));
      if (keys > 0) removed.push(`redis ${keys} key${keys === 1 ? '' : 's'} under ${keyPattern(learner.slug)}`);
      if (await isOurs(client, learner.slug)) {
        await client.call('ACL', 'DELUSER', learner.slug);
        removed.push(`redis user ${learner.slug}`);
      }
    }
    await saveAcl(client);
    return removed;
  });
}
