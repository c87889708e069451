/**
 * A namespace in Redis: every key under "<namespace>:" (Pub/Sub channels need no cleanup:
 * they exist only while somebody subscribes). SCAN, never KEYS: a shared Redis may be large.
 */
import type { Redis } from 'ioredis';

/** The keys matching a glob pattern, batch by batch as one SCAN pass finds them (a batch may
 *  be empty). The one SCAN loop: listing and deleting both go through it. */
async function* scanMatching(client: Redis, pattern: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    yield keys;
    cursor = next;
  } while (cursor !== '0');
}

/** The keys matching a glob pattern ("bl-2026...:*"), one SCAN pass. */
export async function keysMatching(client: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of scanMatching(client, pattern)) found.push(...keys);
  return found;
}

/** Deletes every key matching the pattern (UNLINK: freed in the background); returns how many.
 *  Each batch goes as the SCAN finds it: a large namespace is never held in memory. */
export async function deleteKeys(client: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  for await (const keys of scanMatching(client, pattern)) if (keys.length > 0) deleted += await client.unlink(...keys);
  return deleted;
}

/** A client that does not retry forever nor print reconnection errors: its commands fail
 *  and say why instead. */
export async function connectRedis(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {}); // surfaced by the next command
  await client.connect();
  return client;
}
