/** The keys matching a glob pattern ("bl-2026...:*"), one SCAN pass. */
export async function keysMatching(client, pattern) {
    const found = [];
    let cursor = '0';
    do {
        const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        found.push(...keys);
        cursor = next;
    } while (cursor !== '0');
    return found;
}
/** Deletes every key matching the pattern (UNLINK: freed in the background); returns how many. */
export async function deleteKeys(client, pattern) {
    let deleted = 0;
    let cursor = '0';
    do {
        const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0)
            deleted += await client.unlink(...keys);
        cursor = next;
    } while (cursor !== '0');
    return deleted;
}
/** A client that does not retry forever nor print reconnection errors: its commands fail
 *  and say why instead. */
export async function connectRedis(url) {
    const { Redis } = await import('ioredis');
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => { }); // surfaced by the next command
    await client.connect();
    return client;
}
//# sourceMappingURL=redis.js.map