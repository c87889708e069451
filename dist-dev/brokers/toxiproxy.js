/**
 * Shopify's toxiproxy: a TCP proxy with an HTTP API (127.0.0.1:8474) through which the fault
 * phase adds latency or cuts connections between a learner's program and a broker.
 * Natively: the server binary `go install`ed into vendor/toxiproxy-<v>/bin by install.sh.
 * In compose it uses the host's network, so proxies listen on 127.0.0.1 and reach brokers at
 * 127.0.0.1:<port> exactly as they do natively.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { displayUrl, hostPort, httpGet } from './net.js';
import { HOST, PORTS, portsOf } from './ports.js';
import { tildify, versions } from './versions.js';
const DEFAULT_URL = `http://${HOST}:${PORTS.toxiproxy.api}`;
function serverBinary(dirs) {
    return join(dirs.vendorDir, `toxiproxy-${versions().toxiproxy}`, 'bin', 'toxiproxy-server');
}
export const toxiproxy = {
    name: 'toxiproxy',
    label: 'Toxiproxy',
    ports: portsOf('toxiproxy'),
    defaultEndpoint: { apiUrl: DEFAULT_URL },
    externalEnv: 'BROKERLAB_TOXIPROXY_URL',
    startTimeoutMs: 15_000,
    fromEnv(env) {
        const apiUrl = env.BROKERLAB_TOXIPROXY_URL?.trim().replace(/\/+$/, '');
        return apiUrl ? { apiUrl } : undefined;
    },
    url: (endpoint) => displayUrl(endpoint.apiUrl),
    externalExample: () => `BROKERLAB_TOXIPROXY_URL=${DEFAULT_URL}`,
    awaited: (endpoint) => `GET /version on ${hostPort(endpoint.apiUrl)}`,
    async probe(endpoint, timeoutMs) {
        await httpGet(`${endpoint.apiUrl}/version`, timeoutMs);
    },
    native: {
        stopGraceMs: 5_000,
        logFile: (dirs) => join(dirs.logsDir, 'toxiproxy.log'),
        checkInstalled(dirs) {
            const binary = serverBinary(dirs);
            if (!existsSync(binary)) {
                throw new EnvironmentError(`Toxiproxy ${versions().toxiproxy} is not installed (no ${tildify(binary)}). Run: npm run setup`);
            }
        },
        async prepare(dirs) {
            return {
                launch: {
                    command: serverBinary(dirs),
                    args: ['-host', HOST, '-port', String(PORTS.toxiproxy.api)],
                    cwd: dirs.dataDir,
                },
            };
        },
    },
};
//# sourceMappingURL=toxiproxy.js.map