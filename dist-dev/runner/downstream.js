/**
 * A fake downstream service the lab runs for the learner's program to call (a thumbnail
 * API, a payments ledger). It is how the lab sees the learner's side effects: every call is
 * recorded with its key and attempt number, counted here and not by the learner.
 *
 * Definitions:
 * - call: one HTTP POST with a JSON body whose `keyField` names the message it is about.
 * - attempt: the n-th call for the same key (1-based), counted by this server.
 * - outcome: "ok" when it answered 2xx, "fail" for an error status, "info" when the caller
 *   was killed while the call was in flight (it may or may not count as done).
 */
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
export function failingAttempts(rule) {
    if (rule === 'always-500')
        return Number.POSITIVE_INFINITY;
    if (rule === 'first-503')
        return 1;
    return Number(/^first-(\d+)-503$/.exec(rule)?.[1] ?? 1);
}
/** The answer the rules give to a key's n-th attempt (pure). */
export function replyByRules(tags, attempt, options, key) {
    if (tags === undefined)
        return { status: 404, body: { error: `unknown ${key}: the lab never sent it` } };
    for (const tag of tags) {
        const rule = options.failures?.[tag];
        if (!rule || attempt > failingAttempts(rule))
            continue;
        return rule === 'always-500'
            ? { status: 500, body: { error: `cannot process ${key}: its data is corrupt` } }
            : { status: 503, body: { error: 'service busy, try again' } };
    }
    const body = Object.fromEntries(Object.entries(options.okBody ?? { done: '{key}' }).map(([field, template]) => [field, template.replace('{key}', key)]));
    return { status: 200, body };
}
/** Call indexes are counted over every downstream of a run (a fault's `atCall`). */
export class CallCounter {
    count = 0;
}
export class Downstream {
    options;
    history;
    random;
    counter;
    server;
    attempts = new Map();
    hooks = [];
    sockets = new Set();
    constructor(options, history, random, counter = new CallCounter()) {
        this.options = options;
        this.history = history;
        this.random = random;
        this.counter = counter;
    }
    /** The tags of the message the lab sent with this key, or undefined if it sent none. */
    tagsOf(key) {
        const produced = this.history.produced(key);
        if (!produced)
            return undefined;
        const tags = produced.value?.tags;
        return Array.isArray(tags) ? tags : [];
    }
    onCall(hook) {
        this.hooks.push(hook);
    }
    async start() {
        this.server = createServer((req, res) => void this.handle(req, res));
        this.server.on('connection', (socket) => {
            this.sockets.add(socket);
            socket.on('close', () => this.sockets.delete(socket));
        });
        await new Promise((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
        const { port } = this.server.address();
        return `http://127.0.0.1:${port}`;
    }
    async stop() {
        for (const socket of this.sockets)
            socket.destroy();
        await new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }
    async handle(req, res) {
        let raw = '';
        for await (const chunk of req)
            raw += String(chunk);
        let body = {};
        try {
            body = JSON.parse(raw);
        }
        catch {
            // handled below as a call without a key
        }
        const key = body[this.options.keyField];
        if (req.method !== 'POST' || typeof key !== 'string') {
            res.writeHead(400, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: `expected a POST with a JSON body containing "${this.options.keyField}"` }));
            this.history.record({ process: 'downstream', kind: 'call', outcome: 'fail', stream: this.options.name, value: { status: 400, body: raw.slice(0, 200) } });
            return;
        }
        const attempt = (this.attempts.get(key) ?? 0) + 1;
        this.attempts.set(key, attempt);
        const index = ++this.counter.count;
        const instance = Number(req.headers['x-instance-id'] ?? body.instance ?? 1) || 1;
        const arrivedAt = this.history.now();
        // Drawn before the hooks run, so a held call does not shift the schedule of the others.
        const latency = this.options.latencyMs + (this.options.jitterMs ? this.random.int(0, this.options.jitterMs) : 0);
        for (const hook of this.hooks) {
            if ((await hook({ index, key, instance, attempt, arrivedAt })) === 'killed') {
                this.history.record({ process: 'downstream', kind: 'call', outcome: 'info', stream: this.options.name, key, attempt, value: { instance, arrivedAt, note: 'caller killed mid-call' } });
                req.socket.destroy();
                return;
            }
        }
        await sleep(latency);
        const reply = this.options.reply ? this.options.reply(key, attempt) : replyByRules(this.tagsOf(key), attempt, this.options, key);
        if (req.socket.destroyed) {
            this.history.record({ process: 'downstream', kind: 'call', outcome: 'info', stream: this.options.name, key, attempt, value: { instance, arrivedAt, note: 'caller went away' } });
            return;
        }
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
        this.history.record({
            process: 'downstream',
            kind: 'call',
            outcome: reply.status < 300 ? 'ok' : 'fail',
            stream: this.options.name,
            key,
            attempt,
            value: { instance, arrivedAt, status: reply.status },
        });
    }
}
//# sourceMappingURL=downstream.js.map