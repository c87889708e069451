import { scopedNamespace } from '../../namespaces/names.js';
import { connectRedis, deleteKeys } from '../../namespaces/redis.js';
export async function openRedis(ctx) {
    const url = ctx.endpoints.redis?.url;
    if (!url)
        throw new Error('redis endpoint missing');
    const namespace = scopedNamespace(ctx.namespace, ctx.shared, ':');
    const client = await connectRedis(url);
    ctx.defer(() => client.disconnect());
    let listener;
    const handlers = new Map();
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
                connection.on('message', (from, message) => handlers.get(from)?.(message));
                listener = connection;
            }
            handlers.set(channel, onMessage);
            await listener.subscribe(channel);
        },
        async subscribers(channel) {
            const reply = (await client.pubsub('NUMSUB', channel));
            return Number(reply[1]);
        },
        async patternSubscriptions() {
            return Number(await client.pubsub('NUMPAT'));
        },
    };
}
//# sourceMappingURL=redis.js.map