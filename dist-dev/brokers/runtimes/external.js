/**
 * The external runtime: a broker somebody else runs, named by a BROKERLAB_* variable
 * (BROKERLAB_REDIS_URL, BROKERLAB_AMQP_URL + BROKERLAB_RABBITMQ_MANAGEMENT_URL,
 * BROKERLAB_KAFKA_BROKERS, BROKERLAB_SQS_ENDPOINT, BROKERLAB_POSTGRES_URL,
 * BROKERLAB_TOXIPROXY_URL). brokerlab never starts or stops it; `up` only checks it answers.
 */
import { EnvironmentError, UsageError } from '../../errors.js';
import { reason } from '../net.js';
import { STATUS_PROBE_MS } from './runtime.js';
/** How long `up` gives an external broker to answer one probe. */
const EXTERNAL_PROBE_MS = 5_000;
export function externalEndpoint(def, env) {
    const endpoint = def.fromEnv(env);
    if (!endpoint) {
        throw new UsageError(`${def.label} has no external address: set ${def.externalEnv} (for example ${def.externalExample()})`);
    }
    return endpoint;
}
/** "Redis is not reachable at redis://h:6379 (BROKERLAB_REDIS_URL). Check that URL." */
export function externalUnreachable(def, endpoint) {
    return `${def.label} is not reachable at ${def.url(endpoint)} (${def.externalEnv}). Check that URL.`;
}
export const externalRuntime = {
    kind: 'external',
    endpoint: externalEndpoint,
    async up(def, options) {
        const endpoint = externalEndpoint(def, options.env);
        const started = Date.now();
        try {
            await def.probe(endpoint, Math.min(options.timeoutMs ?? EXTERNAL_PROBE_MS, EXTERNAL_PROBE_MS));
        }
        catch (error) {
            throw new EnvironmentError(externalUnreachable(def, endpoint), `${def.awaited(endpoint)} failed: ${reason(error)}`);
        }
        return {
            name: def.name,
            runtime: 'external',
            action: 'external',
            ms: Date.now() - started,
            url: def.url(endpoint),
            detail: `external (${def.externalEnv})`,
        };
    },
    async down(def, options) {
        externalEndpoint(def, options.env);
        return { name: def.name, runtime: 'external', action: 'external', ms: 0, detail: `external (${def.externalEnv})` };
    },
    async status(def, env) {
        const endpoint = externalEndpoint(def, env);
        let health = 'healthy';
        try {
            await def.probe(endpoint, STATUS_PROBE_MS);
        }
        catch {
            health = 'unreachable';
        }
        return { name: def.name, runtime: 'external', url: def.url(endpoint), health, detail: `external (${def.externalEnv})` };
    },
};
//# sourceMappingURL=external.js.map