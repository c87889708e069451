import { setTimeout as sleep } from 'node:timers/promises';
export async function namesMatching(admin, match) {
    const [topics, groups] = await Promise.all([admin.listTopics(), admin.listGroups()]);
    return { topics: topics.filter(match), groups: groups.groups.map((g) => g.groupId).filter(match) };
}
/** Deletes every matching topic, then every matching group, waiting up to `groupWaitMs` for
 *  groups whose members have not timed out yet; returns what it deleted. */
export async function deleteMatching(admin, match, groupWaitMs = 15_000) {
    const topics = (await admin.listTopics()).filter(match);
    if (topics.length > 0)
        await admin.deleteTopics({ topics, timeout: 10_000 });
    const deadline = Date.now() + groupWaitMs;
    for (;;) {
        const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter(match);
        if (groups.length === 0)
            return { topics, groups: [] };
        try {
            await admin.deleteGroups(groups);
            return { topics, groups };
        }
        catch (error) {
            if (Date.now() > deadline)
                throw new Error(`could not delete consumer groups ${groups.join(', ')}: ${String(error)}`);
            await sleep(1_000);
        }
    }
}
/** An admin client that fails fast and quietly (the caller says what went wrong). */
export async function connectKafkaAdmin(brokers, sasl, clientId = 'brokerlab') {
    const { Kafka, logLevel } = (await import('kafkajs')).default;
    const admin = new Kafka({ clientId, brokers, ...(sasl ? { sasl } : {}), logLevel: logLevel.NOTHING, retry: { retries: 3 } }).admin();
    await admin.connect();
    return admin;
}
//# sourceMappingURL=kafka.js.map