export const WORKLOADS = new Map([
    ['redis-pubsub-notifier', async () => (await import('./redis-pubsub-notifier.js')).redisPubSubNotifier],
    ['rabbitmq-retry-worker', async () => (await import('./rabbitmq-retry-worker.js')).rabbitmqRetryWorker],
    ['rabbitmq-exchanges', async () => (await import('./rabbitmq-exchanges.js')).rabbitmqExchanges],
    ['kafka-consumer-group', async () => (await import('./kafka-consumer-group.js')).kafkaConsumerGroup],
]);
export async function loadWorkload(name) {
    const load = WORKLOADS.get(name);
    if (!load)
        throw new Error(`workload "${name}" is not registered`);
    return load();
}
//# sourceMappingURL=index.js.map