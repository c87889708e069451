import { deleteKeys as deleteKeysMatching } from '../namespaces/redis.js';
/** ioredis, loaded by open(): every brokerlab command imports this module, few run a bench. */
let RedisClient;
export const PIPELINE = 100;
const VARIANTS = [
    { id: 'pubsub-one-by-one', label: 'Pub/Sub, one PUBLISH per round trip', batch: 1 },
    { id: 'pubsub-pipeline', label: `Pub/Sub, pipeline of ${PIPELINE} PUBLISH per round trip`, batch: PIPELINE },
    { id: 'stream-pipeline', label: `Stream, pipeline of ${PIPELINE} XADD, read with XREAD`, batch: PIPELINE },
];
/** How long one XREAD blocks waiting for entries; also bounds how long stop() takes. */
const XREAD_BLOCK_MS = 200;
/** A pipeline reports each command's error in its result instead of rejecting. */
async function execOrThrow(pipeline) {
    for (const [error] of (await pipeline.exec()) ?? [])
        if (error)
            throw error;
}
function connect(url) {
    if (!RedisClient)
        throw new Error('redis bench: open() loads the client first');
    const client = new RedisClient(url, { maxRetriesPerRequest: 1 });
    client.on('error', () => { }); // surfaced by the next command instead
    return client;
}
export const redisBench = {
    name: 'redis',
    label: 'Redis',
    client: 'ioredis',
    variants: VARIANTS,
    defaultMessages: 10_000,
    async open(endpoint, namespace) {
        RedisClient ??= (await import('ioredis')).Redis;
        const publisher = connect(endpoint.url);
        const deleteKeys = async () => void (await deleteKeysMatching(publisher, `${namespace}*`));
        return {
            async start(variant, size, onDelivered) {
                const name = `${namespace}:${variant.id}-${size}`;
                if (variant.id === 'stream-pipeline')
                    return streamPipe(endpoint.url, publisher, name, onDelivered);
                let subscriber;
                if (onDelivered) {
                    subscriber = connect(endpoint.url);
                    subscriber.on('messageBuffer', (_channel, message) => onDelivered(message));
                    await subscriber.subscribe(name);
                }
                return {
                    async send(payloads) {
                        if (payloads.length === 1) {
                            await publisher.publish(name, payloads[0]);
                            return;
                        }
                        const pipeline = publisher.pipeline();
                        for (const payload of payloads)
                            pipeline.publish(name, payload);
                        await execOrThrow(pipeline);
                    },
                    async flush() { },
                    async stop() {
                        subscriber?.disconnect();
                    },
                };
            },
            async close() {
                try {
                    await deleteKeys();
                }
                finally {
                    publisher.disconnect();
                }
            },
        };
    },
};
function streamPipe(url, publisher, key, onDelivered) {
    let reading = true;
    let reader = Promise.resolve();
    let readerClient;
    if (onDelivered) {
        const client = connect(url);
        readerClient = client;
        reader = (async () => {
            let lastId = '0';
            while (reading) {
                const batches = (await client.xreadBuffer('COUNT', 1000, 'BLOCK', XREAD_BLOCK_MS, 'STREAMS', key, lastId));
                for (const [, entries] of batches ?? []) {
                    for (const [id, fields] of entries) {
                        lastId = id.toString();
                        const body = fields[1];
                        if (body)
                            onDelivered(body);
                    }
                }
            }
        })().catch(() => { }); // a reader that fails shows up as lost messages
    }
    return {
        async send(payloads) {
            const pipeline = publisher.pipeline();
            for (const payload of payloads)
                pipeline.xadd(key, '*', 'm', payload);
            await execOrThrow(pipeline);
        },
        async flush() { },
        async stop() {
            reading = false;
            await reader;
            readerClient?.disconnect();
        },
    };
}
//# sourceMappingURL=redis.js.map