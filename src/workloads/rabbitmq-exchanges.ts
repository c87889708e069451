/**
 * Week 2, RabbitMQ exchanges and routing.
 *
 * The learner's program declares a topology (exchanges of the four types, queues, bindings)
 * for the routing table in the scenario's options, in the run's vhost, with every name
 * prefixed by NAME_PREFIX (empty in a vhost of the run's own). The lab then publishes a set
 * of probe messages to the exchanges, each with its routing key or headers, and afterwards
 * takes everything out of every queue: which probe reached which queue is the evidence
 * (checks/routing.ts knows where each must go). It also reads how each exchange and queue
 * was declared (management API).
 *
 * Probes are published with the `mandatory` flag off: a probe the table routes nowhere
 * simply vanishes, as it does in RabbitMQ.
 */
import type { ExchangeSpec, Probe } from '../checks/routing.js';
import type { InletMessage } from './blocks/inlet.js';
import { type Producer, producer } from './blocks/produce.js';
import { openRabbit } from './blocks/rabbitmq.js';
import { LearnerNotReadyError, type Workload, type WorkloadContext, intOption, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/rabbitmq-exchanges.js';

export interface ExchangesOptions {
  exchanges: ExchangeSpec[];
  probes: Probe[];
  /** After the probes, how long RabbitMQ gets to route them before the queues are read. */
  settleMs: number;
}

export const rabbitmqExchanges: Workload<ExchangesOptions> = {
  name: 'rabbitmq-exchanges',
  parseOptions(raw) {
    if (!Array.isArray(raw.exchanges) || raw.exchanges.length === 0) throw new Error('"exchanges" must be a non-empty list');
    if (!Array.isArray(raw.probes) || raw.probes.length === 0) throw new Error('"probes" must be a non-empty list');
    return { exchanges: raw.exchanges as ExchangeSpec[], probes: raw.probes as Probe[], settleMs: intOption(raw, 'settleMs', defaults.settleMs) };
  },

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    // A prefix of the run's own, so a program must put NAME_PREFIX in front of every name (in a
    // shared vhost it also carries the run's namespace).
    const prefix = rabbit.name(`shop${ctx.random('exchanges:prefix').int(0x1000, 0xffff).toString(16)}-`);
    const queues = [...new Set(o.exchanges.flatMap((e) => e.bindings.map((b) => b.queue)))];
    const allDeclared = async () => (await Promise.all(queues.map((q) => rabbit.probeQueue(prefix + q)))).every(Boolean);

    return {
      env: { AMQP_URL: rabbit.url, NAME_PREFIX: prefix },
      async awaitReady() {
        // Soft: a topology with a queue missing is still graded (routes-as-specified says which).
        if (!(await waitUntil(allDeclared, ctx.timeouts.readyMs, ctx.signal, 200))) {
          const any = (await Promise.all(queues.map((q) => rabbit.probeQueue(prefix + q)))).some(Boolean);
          if (!any) {
            // An exclusive queue exists, but only its own connection may look at it.
            const locked = await exclusiveQueue(rabbit, queues.map((q) => prefix + q));
            if (locked) {
              throw new LearnerNotReadyError(
                `the queue "${locked}" was declared exclusive: only your program's own connection can use it, so nothing else can consume from it (and it is gone when your program stops)`,
                'Declare the table\'s queues with { durable: true } only, not exclusive (pika: queue_declare(name, durable=True)).',
              );
            }
            throw new LearnerNotReadyError(
              `none of the table's queues (${queues.map((q) => prefix + q).join(', ')}) was declared within ${ctx.timeouts.readyMs / 1000}s in this run's virtual host`,
              'Connect to AMQP_URL exactly as given (it names the run\'s own virtual host: with pika, pika.URLParameters(AMQP_URL), not a host and port of your own), declare the exchanges, queues and bindings of the table, each name with NAME_PREFIX in front, then keep running.',
            );
          }
        }
      },
      async run() {
        ctx.progress(`publishing ${o.probes.length} probe messages to ${o.exchanges.length} exchanges`);
        // One producer per exchange (the history's stream, and an inlet for faults), each
        // probe with its routing key and headers. A missing exchange closes the publishing
        // channel: the send is recorded as failed, graded as not routed.
        const producers = new Map<string, Producer>();
        const producerFor = (exchange: string): Producer => {
          const existing = producers.get(exchange);
          if (existing) return existing;
          const publish = (m: InletMessage) => {
            const { routingKey = '', headers } = (m.extra ?? {}) as { routingKey?: string; headers?: Record<string, unknown> };
            return rabbit.publish(prefix + exchange, routingKey, m.body, { messageId: m.key, contentType: 'application/json', ...(headers ? { headers } : {}) });
          };
          const created = producer(ctx, { stream: exchange, inlets: { [exchange]: publish } });
          producers.set(exchange, created);
          return created;
        };
        let n = 0;
        for (const probe of o.probes) {
          const id = messageId('probe', ++n);
          const routing = { routingKey: probe.routingKey, headers: probe.headers };
          await producerFor(probe.exchange).send(id, { probeId: id, probe: probe.id }, { record: { probe: probe.id, ...routing }, extra: routing });
        }
        await sleep(o.settleMs, ctx.signal);
      },
      async collect() {
        for (const exchange of o.exchanges) await rabbit.recordExchangeConfig(exchange.name, prefix + exchange.name);
        for (const queue of queues) {
          await rabbit.recordQueueConfig(queue, prefix + queue);
          for (const message of await rabbit.takeAll(prefix + queue)) {
            let id = message.properties.messageId as string | undefined;
            try {
              id ??= (JSON.parse(message.content.toString()) as { probeId?: string }).probeId;
            } catch {
              // not one of the lab's probes
            }
            ctx.history.record({ process: 'lab', kind: 'consume', outcome: id ? 'ok' : 'fail', stream: queue, ...(id ? { key: id } : {}) });
          }
        }
      },
    };
  },
};

/** The first of these queues that exists but is exclusive to another connection, if any. */
async function exclusiveQueue(rabbit: Awaited<ReturnType<typeof openRabbit>>, names: string[]): Promise<string | undefined> {
  for (const name of names) {
    const channel = await rabbit.connection.createChannel();
    channel.on('error', () => {});
    try {
      await channel.checkQueue(name);
    } catch (error) {
      if (/RESOURCE_LOCKED/.test(String(error))) return name;
    } finally {
      await channel.close().catch(() => {});
    }
  }
  return undefined;
}
