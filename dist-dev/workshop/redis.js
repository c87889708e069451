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
import { EnvironmentError, UsageError } from '../errors.js';
import { namespaceOf } from './roster.js';
export function keyPattern(slug) {
    return `${namespaceOf(slug)}:*`;
}
/** The ACL SETUSER rules: `reset` first, so provisioning again gives exactly the same user. */
export function aclRules(slug, password) {
    return ['reset', 'on', `>${password}`, `~${keyPattern(slug)}`, `&${keyPattern(slug)}`, '+@all', '-@admin', '-@dangerous', '+info'];
}
async function connect(url) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false });
    let lastError;
    client.on('error', (error) => (lastError = error));
    try {
        await client.connect();
    }
    catch (error) {
        client.disconnect();
        throw new EnvironmentError(`Redis is not reachable with BROKERLAB_REDIS_URL (${(lastError ?? error).message})`);
    }
    return client;
}
/** Runs `work` as the admin; a NOPERM (the URL's user may not manage ACLs) becomes one clear line. */
async function asAdmin(url, work) {
    const client = await connect(url);
    try {
        return await work(client);
    }
    catch (error) {
        if (/NOPERM|NOAUTH|WRONGPASS/.test(String(error))) {
            throw new EnvironmentError(`Redis refused the admin's command (${error.message}); BROKERLAB_REDIS_URL must log in as a user allowed to run ACL commands`);
        }
        throw error;
    }
    finally {
        client.disconnect();
    }
}
/** undefined: no such user; true: a user brokerlab created for this learner; false: somebody else's. */
async function isOurs(client, slug) {
    const info = (await client.call('ACL', 'GETUSER', slug));
    if (info === null)
        return undefined;
    const keys = info[info.indexOf('keys') + 1];
    // Redis 7 answers "~pattern ..."; Redis 6.2 a list of patterns without the "~".
    return Array.isArray(keys) ? keys.length === 1 && keys[0] === keyPattern(slug) : keys === `~${keyPattern(slug)}`;
}
/** ACL SAVE when the server keeps its users in an ACL file; without one they live in memory (and in CONFIG REWRITE's hands). */
async function saveAcl(client) {
    try {
        await client.call('ACL', 'SAVE');
    }
    catch (error) {
        if (!/not configured to use an ACL file/i.test(String(error)))
            throw error;
    }
}
export async function checkRedisUsers(url, learners) {
    await asAdmin(url, async (client) => {
        for (const learner of learners) {
            if ((await isOurs(client, learner.slug)) === false) {
                throw new UsageError(`Redis already has a user "${learner.slug}" that brokerlab did not create; give this learner another name in the roster's learner column`);
            }
        }
    });
}
export async function provisionRedis(url, accounts) {
    await asAdmin(url, async (client) => {
        for (const { learner, password } of accounts)
            await client.call('ACL', 'SETUSER', learner.slug, ...aclRules(learner.slug, password));
        await saveAcl(client);
    });
}
/** Deletes every key under each learner's prefix, then the user (which also disconnects its clients). */
export async function teardownRedis(url, learners) {
    return asAdmin(url, async (client) => {
        const removed = [];
        for (const learner of learners) {
            const keys = await deleteKeys(client, keyPattern(learner.slug));
            if (keys > 0)
                removed.push(`redis ${keys} key${keys === 1 ? '' : 's'} under ${keyPattern(learner.slug)}`);
            if (await isOurs(client, learner.slug)) {
                await client.call('ACL', 'DELUSER', learner.slug);
                removed.push(`redis user ${learner.slug}`);
            }
        }
        await saveAcl(client);
        return removed;
    });
}
//# sourceMappingURL=redis.js.map