/**
 * Redis for one run: names under the run's namespace ("<namespace>:<base>", inside the
 * learner's prefix on a shared cluster), a command connection and a subscriber connection of
 * the lab's own, and every key under the namespace deleted afterwards, whatever the learner's
 * program created.
 */
import type { Redis } from 'ioredis';
import { scopedNamespace } from '../../namespaces/names.js';
import { connectRedis, deleteKeys, keysMatching } from '../../namespaces/redis.js';
import type { WorkloadContext } from '../types.js';

export interface RedisRun {
  url: string;
  namespace: string;
  /** A key or channel of this run. */
  name(base: string): string;
  /** The lab's command connection. */
  client: Redis;
  /** Subscribes the lab's listener connection to a channel; `onMessage` gets each message. */
  listen(channel: string, onMessage: (message: string) => void): Promise<void>;
  /** PUBSUB NUMSUB: how many clients subscribe to the channel now. */
  subscribers(channel: string): Promise<number>;
  /** PUBSUB NUMPAT: how many pattern subscriptions the server has now (all clients). */
  patternSubscriptions(): Promise<number>;
}

export async function openRedis(ctx: WorkloadContext): Promise<RedisRun> {
  const url = ctx.endpoints.redis?.url;
  if (!url) throw new Error('redis endpoint missing');
  const namespace = scopedNamespace(ctx.namespace, ctx.shared, ':');
  const client = await connectRedis(url);
  ctx.defer(() => client.disconnect());
  let listener: Redis | undefined;
  const handlers = new Map<string, (message: string) => void>();
  // Cleanups run in reverse: the keys go first, then the connections close.
  ctx.defer(() => deleteKeys(client, `${namespace}:*`));
  return {
    url,
    namespace,
    name: (base) => `${namespace}:${base}`,
    client,
    async listen(channel, onMessage) {
      if (!listener) {
        const connection = await connectRedis(url);
        ctx.defer(() => connection.disconnect());
        connection.on('message', (from: string, message: string) => handlers.get(from)?.(message));
        listener = connection;
      }
      handlers.set(channel, onMessage);
      await listener.subscribe(channel);
    },
    async subscribers(channel) {
      const reply = (await client.pubsub('NUMSUB', channel)) as [string, number];
      return Number(reply[1]);
    },
    async patternSubscriptions() {
      return Number(await client.pubsub('NUMPAT'));
    },
  };
}

/**
 * Follows a list the learner's program appends to (RPUSH): `read()` hands each item added
 * since the last read to `onItem`, with its index, and returns how many items there are.
 * A key of another type is reported once through `onWrongType`, then ignored.
 */
export function listFollower(client: Redis, key: string, onItem: (item: string, index: number) => void, onWrongType: (error: string) => void): { read(): Promise<number> } {
  let seen = 0;
  let wrongType = false;
  return {
    async read() {
      if (wrongType) return seen;
      try {
        const items = await client.lrange(key, seen, -1);
        for (const item of items) onItem(item, seen++);
      } catch (error) {
        if (!/WRONGTYPE/.test(String(error))) throw error;
        wrongType = true;
        onWrongType(`${key} holds a ${await client.type(key)}, not a list`);
      }
      return seen;
    },
  };
}

/** One key that held marks: its type, the ids, and whether they were in its name. */
export interface MarkKey {
  key: string;
  type: string;
  ids: string[];
  inName: boolean;
}

/** Removes some ids' marks from a key: the key itself when its name holds them, else the ids
 *  from the set, hash, sorted set or list (Redis drops a container left empty). */
export async function removeMarks(client: Redis, mark: MarkKey, ids: readonly string[]): Promise<void> {
  if (mark.inName || mark.type === 'string') {
    await client.unlink(mark.key);
    return;
  }
  if (ids.length === 0) return;
  if (mark.type === 'set') await client.srem(mark.key, ...ids);
  else if (mark.type === 'hash') await client.hdel(mark.key, ...ids);
  else if (mark.type === 'zset') await client.zrem(mark.key, ...ids);
  else if (mark.type === 'list') for (const id of ids) await client.lrem(mark.key, 0, id);
}

/** What a scan of the learner's keys found: which ids are marked, and for how long. */
export interface MarkScan {
  marked: Set<string>;
  keys: number;
  /** Per id, the longest time to live of the keys marking it, in ms (Infinity: one never
   *  expires). The longest, so that a short lease beside a lasting mark is not taken for it. */
  keptFor: Map<string, { ttlMs: number; key: string }>;
}

/**
 * Finds the learner's marks of processed messages among the keys matching `pattern` (the
 * lab's own keys excluded): a key whose name holds an id, or a set, hash, sorted set, list or
 * string holding one. The program chooses its own layout; the lab reads any of these.
 * `idPattern` matches one id (a global RegExp); `skip` leaves keys out (the lab's own). At
 * most `limit` keys are read; `markKeys` are the keys that held a mark.
 */
export async function scanMarks(client: Redis, pattern: string, skip: (key: string) => boolean, idPattern: RegExp, limit = 2_000): Promise<MarkScan & { markKeys: MarkKey[] }> {
  const found = new Set<string>();
  const keptFor = new Map<string, { ttlMs: number; key: string }>();
  const markKeys: MarkKey[] = [];
  const ids = (text: string) => text.match(idPattern) ?? [];
  const keys = (await keysMatching(client, pattern)).filter((key) => !skip(key)).slice(0, limit);
  for (const key of keys) {
    const inKey = ids(key);
    let inValue: string[] = [];
    const type = await client.type(key);
    if (type === 'string') inValue = ids((await client.get(key)) ?? '');
    else if (type === 'set') inValue = (await client.smembers(key)).flatMap(ids);
    else if (type === 'hash') inValue = (await client.hkeys(key)).flatMap(ids);
    else if (type === 'zset') inValue = (await client.zrange(key, 0, -1)).flatMap(ids);
    else if (type === 'list') inValue = (await client.lrange(key, 0, -1)).flatMap(ids);
    const marks = [...inKey, ...(inKey.length > 0 ? [] : inValue)];
    if (marks.length === 0) continue;
    markKeys.push({ key, type, ids: marks, inName: inKey.length > 0 });
    const pttl = await client.pttl(key);
    const ttlMs = pttl === -1 ? Number.POSITIVE_INFINITY : Math.max(0, pttl);
    for (const id of marks) {
      found.add(id);
      const kept = keptFor.get(id);
      if (!kept || ttlMs > kept.ttlMs) keptFor.set(id, { ttlMs, key });
    }
  }
  return { marked: found, keys: keys.length, keptFor, markKeys };
}
