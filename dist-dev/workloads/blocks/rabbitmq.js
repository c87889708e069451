import { UsageError } from '../../errors.js';
import { createVhost, deleteAddedObjects, deleteVhost, managementApi, vhostObjects } from '../../namespaces/rabbitmq.js';
import { recordObservation } from '../../runner/observations.js';
export async function openRabbit(ctx) {
    const rabbit = ctx.endpoints.rabbitmq;
    if (!rabbit)
        throw new Error('rabbitmq endpoint missing');
    const api = managementApi(rabbit);
    if (ctx.shared && !rabbit.vhost) {
        throw new UsageError('a shared cluster (BROKERLAB_NAMESPACE) gives each learner one RabbitMQ vhost: set BROKERLAB_RABBITMQ_VHOST to yours');
    }
    const vhost = rabbit.vhost ?? ctx.namespace;
    if (rabbit.vhost) {
        const before = await vhostObjects(api, vhost);
        ctx.defer(() => deleteAddedObjects(api, vhost, ctx.namespace, before));
    }
    else {
        await createVhost(api, vhost, rabbit.username);
        ctx.defer(() => deleteVhost(api, vhost));
    }
    const url = `${rabbit.amqpUrl.replace(/\/$/, '')}/${encodeURIComponent(vhost)}`;
    // Loaded here, not at the top: only a graded run needs the client.
    const amqp = (await import('amqplib')).default;
    const connection = await amqp.connect(url);
    connection.on('error', () => { }); // surfaced by the next operation instead
    ctx.defer(() => connection.close().catch(() => { }));
    // A publish to an exchange that does not exist closes the channel: the next one opens anew.
    let publisher;
    const publishChannel = async () => {
        if (publisher)
            return publisher;
        const channel = await connection.createConfirmChannel();
        channel.on('error', () => { });
        channel.on('close', () => {
            if (publisher === channel)
                publisher = undefined;
        });
        publisher = channel;
        return channel;
    };
    return {
        url,
        vhost,
        api,
        connection,
        // A given vhost outlives runs (and may hold a concurrent run's queues): names carry the run's namespace.
        name: (base) => (rabbit.vhost ? `${ctx.namespace}.${base}` : base),
        async probeQueue(queue) {
            // checkQueue closes its channel when the queue is missing, so each probe gets one.
            let channel;
            try {
                channel = await connection.createChannel();
                channel.on('error', () => { });
                return await channel.checkQueue(queue);
            }
            catch {
                return undefined;
            }
            finally {
                await channel?.close().catch(() => { });
            }
        },
        async publish(exchange, routingKey, body, options = {}) {
            const content = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
            const contentType = typeof body === 'object' && !Buffer.isBuffer(body) ? { contentType: 'application/json' } : {};
            const channel = await publishChannel();
            let onClose = () => { };
            try {
                await new Promise((resolve, reject) => {
                    onClose = () => reject(new Error(`the channel closed while publishing to "${exchange}" (does it exist?)`));
                    channel.once('close', onClose);
                    channel.publish(exchange, routingKey, content, { persistent: true, ...contentType, ...options }, (err) => (err ? reject(err) : resolve()));
                });
            }
            finally {
                channel.off('close', onClose);
            }
        },
        async recordQueueConfig(role, queue) {
            const { status, json } = await api('GET', `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`);
            const q = (json ?? {});
            const bound = status === 404 ? [] : ((await api('GET', `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}/bindings`)).json ?? []);
            const bindings = bound.filter((b) => b.source !== '').map((b) => ({ exchange: b.source, key: b.routing_key, arguments: b.arguments ?? {} }));
            recordObservation(ctx.history, 'amqp-queue-config', { role, queue, exists: status !== 404, durable: q.durable === true, type: q.type ?? 'classic', bindings });
        },
        async recordExchangeConfig(role, exchange) {
            const { status, json } = await api('GET', `/exchanges/${encodeURIComponent(vhost)}/${encodeURIComponent(exchange)}`);
            const x = (json ?? {});
            recordObservation(ctx.history, 'amqp-exchange-config', { exchange: role, exists: status !== 404, durable: x.durable === true, type: x.type ?? '' });
        },
        async takeAll(queue) {
            const channel = await connection.createChannel();
            channel.on('error', () => { });
            const taken = [];
            try {
                for (;;) {
                    const message = await channel.get(queue, { noAck: true });
                    if (message === false)
                        break;
                    taken.push(message);
                }
            }
            catch {
                // no such queue (the channel is closed by the broker): nothing (more) to take
            }
            finally {
                await channel.close().catch(() => { });
            }
            return taken;
        },
    };
}
//# sourceMappingURL=rabbitmq.js.map