/**
 * The mentor's admin connections, from the same variables the external runtime reads:
 * BROKERLAB_REDIS_URL (a user allowed ACL SETUSER), BROKERLAB_AMQP_URL +
 * BROKERLAB_RABBITMQ_MANAGEMENT_URL (an administrator), BROKERLAB_KAFKA_BROKERS +
 * BROKERLAB_KAFKA_SASL_* (a super user, or one allowed to alter ACLs and SCRAM credentials).
 * A workshop is always external: no local default is assumed for a broker it uses.
 */
import { kafka } from '../brokers/kafka.js';
import { rabbitmq } from '../brokers/rabbitmq.js';
import { UsageError } from '../errors.js';
import { WORKSHOP_BROKERS } from './state.js';
const EXAMPLES = {
    redis: 'BROKERLAB_REDIS_URL=redis://admin:secret@redis.example:6379',
    rabbitmq: 'BROKERLAB_AMQP_URL=amqp://admin:secret@rabbit.example:5672 (and BROKERLAB_RABBITMQ_MANAGEMENT_URL)',
    kafka: 'BROKERLAB_KAFKA_BROKERS=kafka.example:9092 with BROKERLAB_KAFKA_SASL_MECHANISM/USERNAME/PASSWORD',
};
/** "--brokers redis,kafka" -> ['redis', 'kafka'] (in the fixed order); default all three. */
export function parseWorkshopBrokers(raw) {
    if (raw === undefined)
        return [...WORKSHOP_BROKERS];
    const names = raw.split(',').map((n) => n.trim()).filter(Boolean);
    const unknown = names.filter((n) => !WORKSHOP_BROKERS.includes(n));
    if (unknown.length > 0 || names.length === 0) {
        throw new UsageError(`--brokers takes a comma-separated list of ${WORKSHOP_BROKERS.join(', ')} (got "${raw}")`);
    }
    return WORKSHOP_BROKERS.filter((b) => names.includes(b));
}
export function adminConnections(brokers, env = process.env) {
    const missing = (name) => new UsageError(`the workshop's ${name} needs its admin connection: set ${EXAMPLES[name]}, or leave ${name} out with --brokers`);
    const connections = {};
    for (const name of brokers) {
        if (name === 'redis') {
            const url = env.BROKERLAB_REDIS_URL?.trim();
            if (!url)
                throw missing(name);
            connections.redis = { url };
        }
        else if (name === 'rabbitmq') {
            connections.rabbitmq = rabbitmq.fromEnv(env) ?? throwError(missing(name));
        }
        else {
            connections.kafka = kafka.fromEnv(env) ?? throwError(missing(name));
        }
    }
    return connections;
}
function throwError(error) {
    throw error;
}
/** The addresses learners use: the admin's, without the admin's credentials. */
export function publicConnections(admin) {
    const bare = (raw) => {
        const url = new URL(raw);
        url.username = '';
        url.password = '';
        return url.toString().replace(/\/$/, '');
    };
    return {
        ...(admin.redis ? { redis: { url: bare(admin.redis.url) } } : {}),
        ...(admin.rabbitmq ? { rabbitmq: { amqpUrl: bare(admin.rabbitmq.amqpUrl), managementUrl: admin.rabbitmq.managementUrl } } : {}),
        ...(admin.kafka ? { kafka: { brokers: admin.kafka.brokers, mechanism: 'scram-sha-256' } } : {}),
    };
}
//# sourceMappingURL=admin.js.map