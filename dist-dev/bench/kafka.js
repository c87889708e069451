import { deleteMatching } from '../namespaces/kafka.js';
export const BATCH = 100;
const VARIANTS = [
    { id: 'one-by-one-acks1', label: 'one record per request, acks=1 (leader only)', batch: 1, acks: 1 },
    { id: `batch${BATCH}-acks1`, label: `batches of ${BATCH} records, acks=1 (leader only)`, batch: BATCH, acks: 1 },
    { id: `batch${BATCH}-acksall`, label: `batches of ${BATCH} records, acks=all (all in-sync replicas)`, batch: BATCH, acks: -1 },
];
/** Deletes every topic and consumer group whose name starts with the namespace. */
export async function deleteNamespace(admin, namespace) {
    await deleteMatching(admin, (name) => name.startsWith(namespace), 30_000);
}
export const kafkaBench = {
    name: 'kafka',
    label: 'Kafka',
    client: 'kafkajs',
    variants: VARIANTS,
    defaultMessages: 10_000,
    async open(endpoint, namespace) {
        // Loaded when a bench runs, not at start-up: every brokerlab command imports this module.
        const { Kafka, Partitioners, logLevel } = (await import('kafkajs')).default;
        const kafka = new Kafka({ clientId: namespace, brokers: endpoint.brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
        const admin = kafka.admin();
        await admin.connect();
        let closed = false;
        return {
            async start(variant, size, onDelivered) {
                const acks = variant.acks;
                const topic = `${namespace}.${variant.id}-${size}`;
                await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
                const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
                let consumer;
                try {
                    await producer.connect();
                    if (onDelivered) {
                        const group = kafka.consumer({ groupId: topic, maxWaitTimeInMs: 100, sessionTimeout: 10_000 });
                        consumer = group;
                        await group.connect();
                        await group.subscribe({ topic, fromBeginning: true });
                        // Ready once the group has assigned us the partition: joining takes a moment, and
                        // that time must not count as the first messages' latency.
                        const joined = new Promise((resolve) => group.on(group.events.GROUP_JOIN, () => resolve()));
                        await group.run({
                            eachBatch: async ({ batch }) => {
                                for (const message of batch.messages)
                                    if (message.value)
                                        onDelivered(message.value);
                            },
                        });
                        await joined;
                    }
                }
                catch (error) {
                    await consumer?.disconnect().catch(() => { });
                    await producer.disconnect().catch(() => { });
                    throw error;
                }
                return {
                    async send(payloads) {
                        await producer.send({ topic, acks, messages: payloads.map((value) => ({ value })) });
                    },
                    async flush() { },
                    async stop() {
                        await consumer?.disconnect().catch(() => { });
                        await producer.disconnect().catch(() => { });
                    },
                };
            },
            async close() {
                if (closed)
                    return;
                closed = true;
                try {
                    await deleteNamespace(admin, namespace);
                }
                finally {
                    await admin.disconnect().catch(() => { });
                }
            },
        };
    },
};
//# sourceMappingURL=kafka.js.map