import { namespaceOf } from './roster.js';
/** The learner's variables, in the order the env file lists them. */
export function learnerEnv(learner, password, connections) {
    const namespace = namespaceOf(learner.slug);
    const env = { BROKERLAB_NAMESPACE: namespace };
    const withLogin = (raw) => {
        const url = new URL(raw);
        url.username = learner.slug;
        url.password = password;
        return url.toString().replace(/\/$/, '');
    };
    if (connections.redis)
        env.BROKERLAB_REDIS_URL = withLogin(connections.redis.url);
    if (connections.rabbitmq) {
        env.BROKERLAB_AMQP_URL = withLogin(connections.rabbitmq.amqpUrl);
        env.BROKERLAB_RABBITMQ_MANAGEMENT_URL = connections.rabbitmq.managementUrl;
        env.BROKERLAB_RABBITMQ_VHOST = namespace;
    }
    if (connections.kafka) {
        env.BROKERLAB_KAFKA_BROKERS = connections.kafka.brokers.join(',');
        env.BROKERLAB_KAFKA_SASL_MECHANISM = connections.kafka.mechanism;
        env.BROKERLAB_KAFKA_SASL_USERNAME = learner.slug;
        env.BROKERLAB_KAFKA_SASL_PASSWORD = password;
    }
    return env;
}
/** The `<slug>.env` file: a comment saying whose it is and how to use it, then KEY=VALUE lines. */
export function renderEnvFile(learner, env) {
    const who = [learner.name, learner.email].filter(Boolean).join(', ');
    return [
        `# brokerlab workshop: ${learner.slug}${who ? ` (${who})` : ''}. Keep it to yourself: it holds your password.`,
        `# Use it in a shell:  set -a; . ./${learner.slug}.env; set +a   then: brokerlab check <exercise>`,
        ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
        '',
    ].join('\n');
}
/** The password in an env file written earlier, so provisioning again keeps it. */
export function passwordOf(env) {
    if (env.BROKERLAB_KAFKA_SASL_PASSWORD)
        return env.BROKERLAB_KAFKA_SASL_PASSWORD;
    for (const key of ['BROKERLAB_REDIS_URL', 'BROKERLAB_AMQP_URL']) {
        const raw = env[key];
        if (!raw)
            continue;
        try {
            const password = decodeURIComponent(new URL(raw).password);
            if (password)
                return password;
        }
        catch {
            // not a URL: no password to reuse from it
        }
    }
    return undefined;
}
//# sourceMappingURL=env-file.js.map