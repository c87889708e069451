import { createVhost as createRunVhost, deleteVhost, managementApi } from '../namespaces/rabbitmq.js';
/** Unconfirmed publishes allowed in flight with confirms on. */
export const CONFIRM_WINDOW = 100;
/** Unacked deliveries the consumer may hold, so the broker streams instead of waiting per ack. */
const PREFETCH = 500;
const VARIANTS = [
    { id: 'confirms-off', label: 'persistent messages, publisher confirms off (fire and forget)', batch: 100 },
    { id: 'confirms-on', label: `persistent messages, publisher confirms on (${CONFIRM_WINDOW} unconfirmed at most)`, batch: 100 },
];
/** The AMQP URL of a vhost. */
export function vhostUrl(rabbit, vhost) {
    return `${rabbit.amqpUrl.replace(/\/$/, '')}/${encodeURIComponent(vhost)}`;
}
/** Creates the vhost with permissions for our user; returns how to delete it. */
export async function createVhost(rabbit, vhost) {
    const api = managementApi(rabbit);
    const remove = async () => void (await deleteVhost(api, vhost));
    try {
        await createRunVhost(api, vhost, rabbit.username);
    }
    catch (error) {
        await remove().catch(() => { });
        throw error;
    }
    return remove;
}
async function connect(url) {
    // Loaded when a bench runs, not at start-up: every brokerlab command imports this module.
    const amqp = (await import('amqplib')).default;
    const connection = await amqp.connect(url);
    connection.on('error', () => { }); // surfaced by the next operation instead
    return connection;
}
export const rabbitmqBench = {
    name: 'rabbitmq',
    label: 'RabbitMQ',
    client: 'amqplib',
    variants: VARIANTS,
    defaultMessages: 10_000,
    async open(endpoint, namespace) {
        const removeVhost = await createVhost(endpoint, namespace);
        const url = vhostUrl(endpoint, namespace);
        let closed = false;
        return {
            async start(variant, size, onDelivered) {
                const queue = `${variant.id}-${size}`;
                // Producer and consumer on separate connections, as separate programs would be: the
                // broker's flow control then throttles the producer alone.
                const producerConnection = await connect(url);
                const consumerConnection = onDelivered ? await connect(url) : undefined;
                try {
                    const confirms = variant.id === 'confirms-on';
                    const channel = confirms ? await producerConnection.createConfirmChannel() : await producerConnection.createChannel();
                    channel.on('error', () => { });
                    await channel.assertQueue(queue, { durable: true });
                    if (consumerConnection && onDelivered) {
                        const consumer = await consumerConnection.createChannel();
                        consumer.on('error', () => { });
                        await consumer.prefetch(PREFETCH);
                        await consumer.consume(queue, (message) => {
                            if (!message)
                                return;
                            onDelivered(message.content);
                            consumer.ack(message);
                        });
                    }
                    let unconfirmed = 0;
                    let windowOpen;
                    let failed;
                    const drained = () => new Promise((resolve) => channel.once('drain', resolve));
                    return {
                        async send(payloads) {
                            for (const payload of payloads) {
                                if (failed)
                                    throw failed;
                                if (confirms) {
                                    while (unconfirmed >= CONFIRM_WINDOW)
                                        await new Promise((resolve) => (windowOpen = resolve));
                                    unconfirmed++;
                                    channel.sendToQueue(queue, payload, { persistent: true }, (error) => {
                                        if (error)
                                            failed = error instanceof Error ? error : new Error(`message nacked: ${String(error)}`);
                                        unconfirmed--;
                                        windowOpen?.();
                                        windowOpen = undefined;
                                    });
                                }
                                else if (!channel.sendToQueue(queue, payload, { persistent: true })) {
                                    await drained(); // the socket's buffer is full: wait, as TCP backpressure asks
                                }
                            }
                        },
                        async flush() {
                            if (confirms)
                                await channel.waitForConfirms();
                            if (failed)
                                throw failed;
                        },
                        async stop() {
                            await consumerConnection?.close().catch(() => { });
                            await producerConnection.close().catch(() => { });
                        },
                    };
                }
                catch (error) {
                    await consumerConnection?.close().catch(() => { });
                    await producerConnection.close().catch(() => { });
                    throw error;
                }
            },
            async close() {
                if (closed)
                    return;
                closed = true;
                await removeVhost();
            },
        };
    },
};
//# sourceMappingURL=rabbitmq.js.map