import { UsageError } from '../../errors.js';
import { createVhost, deleteAddedObjects, deleteVhost, managementApi, vhostObjects } from '../../namespaces/rabbitmq.js';
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
    const publisher = await connection.createConfirmChannel();
    publisher.on('error', () => { });
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
        publish(exchange, routingKey, body, options = {}) {
            const content = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
            const contentType = typeof body === 'object' && !Buffer.isBuffer(body) ? { contentType: 'application/json' } : {};
            return new Promise((resolve, reject) => publisher.publish(exchange, routingKey, content, { persistent: true, ...contentType, ...options }, (err) => (err ? reject(err) : resolve())));
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