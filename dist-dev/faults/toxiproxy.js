import { EnvironmentError } from '../errors.js';
export function toxiproxyApi(endpoint) {
    const call = async (method, path, body) => {
        let response;
        try {
            response = await fetch(`${endpoint.apiUrl}${path}`, {
                method,
                headers: { 'content-type': 'application/json' },
                ...(body === undefined ? {} : { body: JSON.stringify(body) }),
                signal: AbortSignal.timeout(5_000),
            });
        }
        catch (error) {
            throw new EnvironmentError(`toxiproxy is not reachable at ${endpoint.apiUrl} (${error.message}); start it with: brokerlab up toxiproxy`);
        }
        const text = await response.text();
        if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
            throw new EnvironmentError(`toxiproxy answered ${method} ${path} with HTTP ${response.status}: ${text.slice(0, 200)}`);
        }
        return text ? JSON.parse(text) : undefined;
    };
    return {
        async create(name, upstream) {
            const created = (await call('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream, enabled: true }));
            return { name, listen: created.listen, upstream };
        },
        async setEnabled(name, enabled) {
            await call('POST', `/proxies/${encodeURIComponent(name)}`, { enabled });
        },
        async addToxic(proxy, toxic, type, attributes) {
            // Both directions: a cut or slow network is slow both ways.
            for (const stream of ['downstream', 'upstream']) {
                await call('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, { name: `${toxic}-${stream}`, type, stream, toxicity: 1, attributes });
            }
        },
        async removeToxic(proxy, toxic) {
            for (const stream of ['downstream', 'upstream'])
                await call('DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(`${toxic}-${stream}`)}`);
        },
        async remove(name) {
            await call('DELETE', `/proxies/${encodeURIComponent(name)}`);
        },
        async list() {
            return Object.values((await call('GET', '/proxies')));
        },
    };
}
/** host:port of a broker's endpoint, as the learner's program reaches it. */
export function brokerAddress(broker, endpoints) {
    const url = broker === 'redis' ? endpoints.redis?.url : broker === 'rabbitmq' ? endpoints.rabbitmq?.amqpUrl : endpoints.postgres?.url;
    if (!url)
        throw new Error(`${broker} endpoint missing`);
    const parsed = new URL(url);
    const port = parsed.port || { redis: '6379', rabbitmq: '5672', postgres: '5432' }[broker];
    return `${parsed.hostname}:${port}`;
}
//# sourceMappingURL=toxiproxy.js.map