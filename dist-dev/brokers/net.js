/** Small network helpers shared by the probes and the runtimes. */
import { connect } from 'node:net';
import { HOST } from './ports.js';
/**
 * True when something accepts TCP connections on host:port. Used to tell "port taken" apart
 * from "free" before starting a broker, and to wait until a stopped broker released its ports.
 */
export function isListening(port, host = HOST, timeoutMs = 1000) {
    return new Promise((resolve) => {
        const socket = connect({ host, port });
        const done = (answer) => {
            socket.destroy();
            resolve(answer);
        };
        socket.setTimeout(timeoutMs, () => done(false));
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
    });
}
/** GET a URL with a hard timeout; rejects unless the status is 2xx. Returns the body text. */
export async function httpGet(url, timeoutMs, headers = {}) {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    if (!response.ok)
        throw new Error(`GET ${url} answered HTTP ${response.status}`);
    return body;
}
/** Rejects after `ms` with a message naming what timed out; for clients without their own timeout. */
export async function withTimeout(promise, ms, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms}ms`)), ms);
    });
    try {
        return await Promise.race([promise, timeout]);
    }
    finally {
        clearTimeout(timer);
    }
}
/** "host:port" of a URL, for messages. */
export function hostPort(url) {
    try {
        return new URL(url).host;
    }
    catch {
        return url;
    }
}
/**
 * The URL with its password replaced by "***", except RabbitMQ's well-known default "guest":
 * external URLs may carry real secrets and status output gets pasted into chats.
 */
export function displayUrl(url) {
    try {
        const parsed = new URL(url);
        if (parsed.password && parsed.password !== 'guest')
            parsed.password = '***';
        return parsed.toString().replace(/\/$/, '');
    }
    catch {
        return url;
    }
}
/** The message of anything thrown, on one line. */
export function reason(error) {
    if (error instanceof AggregateError && error.errors.length > 0)
        return reason(error.errors[0]);
    let text = error instanceof Error ? error.message || error.name : String(error);
    // fetch() says only "fetch failed"; the reason (ECONNREFUSED, ...) is in its cause.
    if (error instanceof Error && error.cause !== undefined && text === 'fetch failed')
        text += `: ${reason(error.cause)}`;
    return text.replace(/\s+/g, ' ').trim();
}
//# sourceMappingURL=net.js.map