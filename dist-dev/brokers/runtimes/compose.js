/**
 * The compose runtime: brokers as containers from compose/docker-compose.yml, one profile and
 * one service per broker (both named like the broker), under the compose project "brokerlab".
 * Published on the same 127.0.0.1 ports as the native runtime, so endpoints are identical.
 */
import { join } from 'node:path';
import { EnvironmentError } from '../../errors.js';
import { isListening } from '../net.js';
import { run } from '../process.js';
import { dockerEngineAvailable } from '../select.js';
import { repoRoot, tildify } from '../versions.js';
import { waitUntilReady } from '../wait.js';
import { answers, firstListening, portTakenMessage, STATUS_PROBE_MS, } from './runtime.js';
/** Compose project name: container names become brokerlab-<broker>-1. */
export const COMPOSE_PROJECT = 'brokerlab';
/** Pulling an image on a slow connection can take minutes; starting is bounded by --wait-timeout. */
const COMPOSE_COMMAND_MS = 15 * 60_000;
const COMPOSE_QUERY_MS = 30_000;
export function composeFile() {
    return join(repoRoot(), 'compose', 'docker-compose.yml');
}
/** `docker compose -f <file> -p brokerlab --profile <broker> <args...>` */
export function composeArgs(broker, args) {
    return ['compose', '-f', composeFile(), '-p', COMPOSE_PROJECT, '--profile', broker, ...args];
}
function compose(broker, args, env, timeoutMs) {
    return run('docker', composeArgs(broker, args), { env, timeoutMs });
}
/** The command a person can run to read a service's log, for messages. */
function logsCommand(broker) {
    return `docker compose -f ${tildify(composeFile())} -p ${COMPOSE_PROJECT} --profile ${broker} logs ${broker}`;
}
/**
 * Parses `docker compose ps --format json`: one JSON object per line (Compose >= 2.21) or a
 * single JSON array (older Compose v2).
 */
export function parseComposePs(output) {
    const text = output.trim();
    if (text === '')
        return [];
    const rows = text.startsWith('[')
        ? JSON.parse(text)
        : text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line));
    return rows.map((row) => {
        const r = row;
        return { name: String(r.Name ?? ''), state: String(r.State ?? ''), health: String(r.Health ?? '') };
    });
}
async function container(def, env) {
    const ps = await compose(def.name, ['ps', '--all', '--format', 'json', def.name], env, COMPOSE_QUERY_MS);
    if (ps.code !== 0)
        return undefined;
    try {
        return parseComposePs(ps.output.split('\n').filter((line) => /^\s*[[{]/.test(line)).join('\n'))[0];
    }
    catch {
        return undefined;
    }
}
/**
 * Before the first real compose command: a clear message when Docker or its compose plugin is
 * missing, instead of whatever `docker compose` prints then.
 */
async function preflight(env) {
    if (!(await dockerEngineAvailable())) {
        throw new EnvironmentError('cannot use the compose runtime: no Docker engine answers (`docker info` failed). Start Docker, or use --runtime native');
    }
    const version = await run('docker', ['compose', 'version'], { env, timeoutMs: COMPOSE_QUERY_MS });
    if (version.code !== 0) {
        throw new EnvironmentError('cannot use the compose runtime: `docker compose` (Compose v2) is not installed. Install the Docker Compose plugin, or use --runtime native');
    }
}
function lastLine(output) {
    return output.trim().split('\n').pop()?.trim() || 'no output';
}
export const composeRuntime = {
    kind: 'compose',
    endpoint: (def) => def.defaultEndpoint,
    async up(def, options) {
        const endpoint = def.defaultEndpoint;
        const timeoutMs = options.timeoutMs ?? def.startTimeoutMs;
        const result = (action, ms, name) => ({
            name: def.name,
            runtime: 'compose',
            action,
            ms,
            url: def.url(endpoint),
            detail: `compose, container ${name}`,
        });
        const started = Date.now();
        await preflight(options.env);
        const existing = await container(def, options.env);
        if (existing?.state === 'running' && (await answers(def, endpoint, STATUS_PROBE_MS))) {
            return result('already-running', Date.now() - started, existing.name);
        }
        if (existing?.state !== 'running') {
            const taken = await firstListening(def.ports, (port) => isListening(port));
            if (taken !== undefined)
                throw new EnvironmentError(portTakenMessage(def, taken));
        }
        options.onProgress?.({ type: 'starting', name: def.name, label: def.label, runtime: 'compose' });
        const waitSeconds = String(Math.ceil(timeoutMs / 1000));
        const upResult = await compose(def.name, ['up', '--detach', '--wait', '--wait-timeout', waitSeconds, def.name], options.env, COMPOSE_COMMAND_MS);
        if (upResult.code !== 0) {
            throw new EnvironmentError(`docker compose could not start ${def.label}: ${lastLine(upResult.output)}`, `see: ${logsCommand(def.name)}`);
        }
        // The healthcheck passed inside the container; now the same probe as natively, from here.
        await waitUntilReady({
            label: def.label,
            awaited: def.awaited(endpoint),
            probe: (attemptMs) => def.probe(endpoint, attemptMs),
            timeoutMs,
            log: logsCommand(def.name),
        });
        const now = await container(def, options.env);
        return result('started', Date.now() - started, now?.name ?? `${COMPOSE_PROJECT}-${def.name}-1`);
    },
    async down(def, options) {
        const existing = await container(def, options.env);
        const result = (action, ms, detail) => ({
            name: def.name,
            runtime: 'compose',
            action,
            ms,
            detail,
        });
        if (!existing)
            return result('not-running', 0, 'not running (no container)');
        options.onProgress?.({ type: 'stopping', name: def.name, label: def.label, runtime: 'compose' });
        const started = Date.now();
        // Stop and remove this service's container and its anonymous volumes: the next `up` starts clean.
        const rm = await compose(def.name, ['rm', '--stop', '--force', '--volumes', def.name], options.env, COMPOSE_COMMAND_MS);
        if (rm.code !== 0) {
            throw new EnvironmentError(`docker compose could not stop ${def.label}: ${lastLine(rm.output)}`);
        }
        return result('stopped', Date.now() - started, `compose, container ${existing.name}`);
    },
    async status(def, env) {
        const endpoint = def.defaultEndpoint;
        const [existing, healthy] = await Promise.all([container(def, env), answers(def, endpoint, STATUS_PROBE_MS)]);
        const row = (health, detail) => ({
            name: def.name,
            runtime: 'compose',
            url: def.url(endpoint),
            health,
            detail,
        });
        if (existing?.state === 'running') {
            const container = `compose, container ${existing.name}${existing.health ? ` (${existing.health})` : ''}`;
            return row(healthy ? 'healthy' : 'starting', container);
        }
        if (healthy)
            return row('healthy', 'running, but not started by brokerlab');
        return row('unreachable', existing ? `compose, container ${existing.name} ${existing.state}` : `not running (start it with: brokerlab up ${def.name})`);
    },
};
//# sourceMappingURL=compose.js.map