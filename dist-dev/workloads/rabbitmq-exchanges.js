import { openRabbit } from './blocks/rabbitmq.js';
import { LearnerNotReadyError, intOption, messageId, sleep, waitUntil } from './types.js';
export const rabbitmqExchanges = {
    name: 'rabbitmq-exchanges',
    parseOptions(raw) {
        if (!Array.isArray(raw.exchanges) || raw.exchanges.length === 0)
            throw new Error('"exchanges" must be a non-empty list');
        if (!Array.isArray(raw.probes) || raw.probes.length === 0)
            throw new Error('"probes" must be a non-empty list');
        return { exchanges: raw.exchanges, probes: raw.probes, settleMs: intOption(raw, 'settleMs', 300) };
    },
    async prepare(ctx, o) {
        const rabbit = await openRabbit(ctx);
        // In a vhost of the run's own, names are as the table gives them; in a shared one they
        // carry the run's namespace.
        const prefix = rabbit.name('');
        const queues = [...new Set(o.exchanges.flatMap((e) => e.bindings.map((b) => b.queue)))];
        const allDeclared = async () => (await Promise.all(queues.map((q) => rabbit.probeQueue(prefix + q)))).every(Boolean);
        return {
            env: { AMQP_URL: rabbit.url, NAME_PREFIX: prefix },
            async awaitReady() {
                // Soft: a topology with a queue missing is still graded (routes-as-specified says which).
                if (!(await waitUntil(allDeclared, ctx.timeouts.readyMs, ctx.signal, 200))) {
                    const any = (await Promise.all(queues.map((q) => rabbit.probeQueue(prefix + q)))).some(Boolean);
                    if (!any) {
                        throw new LearnerNotReadyError(`none of the table's queues (${queues.join(', ')}) was declared within ${ctx.timeouts.readyMs / 1000}s`, 'Connect to AMQP_URL, declare the exchanges, queues and bindings of the table (each name with NAME_PREFIX in front), then keep running.');
                    }
                }
            },
            async run() {
                ctx.progress(`publishing ${o.probes.length} probe messages to ${o.exchanges.length} exchanges`);
                let n = 0;
                for (const probe of o.probes) {
                    const id = messageId('probe', ++n);
                    const body = { probeId: id, probe: probe.id };
                    try {
                        await rabbit.publish(prefix + probe.exchange, probe.routingKey ?? '', body, { messageId: id, ...(probe.headers ? { headers: probe.headers } : {}) });
                        ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: probe.exchange, key: id, value: { probe: probe.id, routingKey: probe.routingKey, headers: probe.headers } });
                    }
                    catch (error) {
                        // A missing exchange closes the publishing channel: recorded, graded as not routed.
                        ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'fail', stream: probe.exchange, key: id, value: { probe: probe.id, error: String(error) } });
                    }
                }
                await sleep(o.settleMs, ctx.signal);
            },
            async collect() {
                for (const exchange of o.exchanges)
                    await rabbit.recordExchangeConfig(exchange.name, prefix + exchange.name);
                for (const queue of queues) {
                    await rabbit.recordQueueConfig(queue, prefix + queue);
                    for (const message of await rabbit.takeAll(prefix + queue)) {
                        let id = message.properties.messageId;
                        try {
                            id ??= JSON.parse(message.content.toString()).probeId;
                        }
                        catch {
                            // not one of the lab's probes
                        }
                        ctx.history.record({ process: 'lab', kind: 'consume', outcome: id ? 'ok' : 'fail', stream: queue, ...(id ? { key: id } : {}) });
                    }
                }
            },
        };
    },
};
//# sourceMappingURL=rabbitmq-exchanges.js.map