/**
 * Redis 7.0 (Debian's redis-server). Natively: one foreground redis-server on 127.0.0.1:6379
 * with no persistence (a lab broker starts empty), config in brokers/redis/config/redis.conf.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { displayUrl, hostPort } from './net.js';
import { HOST, PORTS, portsOf } from './ports.js';
import { findExecutable } from './process.js';
const DEFAULT_URL = `redis://${HOST}:${PORTS.redis.redis}`;
function redisServer() {
    return findExecutable(['redis-server', '/usr/bin/redis-server']);
}
/** Same settings as the compose service's command line. */
function redisConf(dirs) {
    return [
        `port ${PORTS.redis.redis}`,
        `bind ${HOST}`,
        'protected-mode yes',
        // Foreground, logging to stdout: the native runtime owns the process and its log file.
        'daemonize no',
        'logfile ""',
        `dir ${dirs.dataDir}`,
        // No persistence: every `up` starts from an empty Redis, like a fresh container.
        'save ""',
        'appendonly no',
        '',
    ].join('\n');
}
export const redis = {
    name: 'redis',
    label: 'Redis',
    ports: portsOf('redis'),
    defaultEndpoint: { url: DEFAULT_URL },
    externalEnv: 'BROKERLAB_REDIS_URL',
    startTimeoutMs: 15_000,
    fromEnv(env) {
        const url = env.BROKERLAB_REDIS_URL?.trim();
        return url ? { url } : undefined;
    },
    url: (endpoint) => displayUrl(endpoint.url),
    externalExample: () => `BROKERLAB_REDIS_URL=${DEFAULT_URL}`,
    awaited: (endpoint) => `PING on ${hostPort(endpoint.url)}`,
    async probe(endpoint, timeoutMs) {
        const { Redis } = await import('ioredis');
        const client = new Redis(endpoint.url, {
            lazyConnect: true,
            connectTimeout: timeoutMs,
            commandTimeout: timeoutMs,
            maxRetriesPerRequest: 0,
            enableOfflineQueue: false,
            retryStrategy: () => null, // one attempt: the wait loop does the retrying
            disconnectTimeout: 0, // else a failed probe keeps the process alive for 2s
        });
        let lastError;
        client.on('error', (error) => (lastError = error)); // ioredis rejects with "Connection is closed"; this says why
        try {
            await client.connect().catch((error) => {
                throw lastError ?? error;
            });
            const answer = await client.ping();
            if (answer !== 'PONG')
                throw new Error(`PING answered ${answer}`);
        }
        finally {
            client.disconnect();
        }
    },
    native: {
        stopGraceMs: 10_000,
        logFile: (dirs) => join(dirs.logsDir, 'redis.log'),
        checkInstalled() {
            if (!redisServer()) {
                throw new EnvironmentError('Redis is not installed (no redis-server on PATH). Run: npm run setup');
            }
        },
        async prepare(dirs) {
            const conf = join(dirs.configDir, 'redis.conf');
            writeFileSync(conf, redisConf(dirs));
            return { launch: { command: redisServer() ?? 'redis-server', args: [conf], cwd: dirs.dataDir } };
        },
    },
};
//# sourceMappingURL=redis.js.map