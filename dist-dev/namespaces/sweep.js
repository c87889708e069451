import { toxiproxyApi } from '../faults/toxiproxy.js';
import { connectKafkaAdmin, deleteMatching, namesMatching } from './kafka.js';
import { NAMESPACE_PREFIX, isBrokerlabName, staleNamespaceOf } from './names.js';
import { deleteVhost, listVhosts, managementApi } from './rabbitmq.js';
import { connectRedis, deleteKeys, keysMatching } from './redis.js';
/** Deletes stale run namespaces from the given brokers; returns what it deleted, by broker. */
export async function sweepStaleNamespaces(endpoints, now = new Date()) {
    const swept = [];
    const stale = (name) => staleNamespaceOf(name, now) !== undefined;
    if (endpoints.redis) {
        const redis = await connectRedis(endpoints.redis.url);
        try {
            const keys = (await keysMatching(redis, `${NAMESPACE_PREFIX}*`)).filter(stale);
            for (const namespace of new Set(keys.map((key) => staleNamespaceOf(key, now)))) {
                await deleteKeys(redis, `${namespace}*`);
                swept.push(`redis ${namespace}`);
            }
        }
        finally {
            redis.disconnect();
        }
    }
    if (endpoints.rabbitmq) {
        const api = managementApi(endpoints.rabbitmq);
        for (const vhost of (await listVhosts(api)).filter((name) => staleNamespaceOf(name, now) === name)) {
            await deleteVhost(api, vhost);
            swept.push(`rabbitmq ${vhost}`);
        }
    }
    if (endpoints.kafka) {
        const admin = await connectKafkaAdmin(endpoints.kafka.brokers, undefined, 'brokerlab-sweep');
        try {
            // A group whose members are long dead can be deleted; one still in use waits for the next sweep.
            const { topics, groups } = await deleteMatching(admin, stale, 0).catch(async () => namesMatching(admin, stale));
            swept.push(...new Set([...topics, ...groups].map((name) => `kafka ${staleNamespaceOf(name, now)}`)));
        }
        finally {
            await admin.disconnect();
        }
    }
    if (endpoints.toxiproxy) {
        // Network faults' proxies ("<namespace>.redis"): a killed brokerlab left them, maybe with a toxic on.
        const api = toxiproxyApi(endpoints.toxiproxy);
        for (const proxy of (await api.list()).filter((p) => stale(p.name))) {
            await api.remove(proxy.name);
            swept.push(`toxiproxy ${proxy.name}`);
        }
    }
    return swept;
}
/** Every brokerlab name ("bl-...") still in the given brokers, as "redis key x", "kafka topic y". */
export async function leftovers(endpoints, match = isBrokerlabName) {
    const found = [];
    if (endpoints.redis) {
        const redis = await connectRedis(endpoints.redis.url);
        try {
            found.push(...(await keysMatching(redis, `${NAMESPACE_PREFIX}*`)).filter(match).map((k) => `redis key ${k}`));
        }
        finally {
            redis.disconnect();
        }
    }
    if (endpoints.rabbitmq) {
        found.push(...(await listVhosts(managementApi(endpoints.rabbitmq))).filter(match).map((v) => `rabbitmq vhost ${v}`));
    }
    if (endpoints.toxiproxy) {
        found.push(...(await toxiproxyApi(endpoints.toxiproxy).list()).filter((p) => match(p.name)).map((p) => `toxiproxy proxy ${p.name}`));
    }
    if (endpoints.kafka) {
        const admin = await connectKafkaAdmin(endpoints.kafka.brokers, endpoints.kafka.sasl, 'brokerlab-leftovers');
        try {
            const { topics, groups } = await namesMatching(admin, match);
            found.push(...topics.map((t) => `kafka topic ${t}`), ...groups.map((g) => `kafka group ${g}`));
        }
        finally {
            await admin.disconnect();
        }
    }
    return found;
}
//# sourceMappingURL=sweep.js.map