/**
 * Week 6, topic routing: a log router.
 *
 * The lab declares LOG_INBOX (durable) and publishes raw log events to it, each a JSON object
 * {"logId", "region", "service", "subservice"?, "severity", "message"}. The learner's program
 * declares the topic exchange LOG_EXCHANGE and the queues and bindings of the routing table
 * (every queue name with NAME_PREFIX in front), consumes LOG_INBOX, publishes each event to
 * LOG_EXCHANGE with the routing key built from its fields
 * (`<region>.<service>[.<subservice>].<severity>`), with publisher confirms, and acks the
 * inbox message once the confirm came.
 *
 * Two phases:
 * 1. The routing table's events (`events`), one at a time, then a drain until the inbox is
 *    empty: what each queue gets is judged by routes-as-specified.
 * 2. "burst": the scenario puts latency on the program's connection (a network fault on this
 *    phase), so each confirm takes a round trip; the lab puts `burstEvents` more events on
 *    the inbox at once and, `killAfterMs` later, enters "kill": the scenario's kill-learner
 *    fault SIGKILLs the program then and restarts it. A router that acks an event only
 *    after its confirm gets back every event it had not acked; one that took events with
 *    auto-ack (or acked them on arrival) and was still working through them has lost them
 *    (no-lost-messages: every burst event must reach the audit queue, "#").
 *
 * The events are scenario data: each has an id and the routing key the README's rule gives
 * it, and the lab derives the event's fields from that key (4 words: a subservice). The
 * routing table is an ExchangeSpec, so routes-as-specified (checks/routing.ts) judges what
 * every queue got, exactly as for the week-2 topology, with the events as its probes.
 *
 * Each event is one log line with its own logId. After the program stopped, the lab
 * takes everything out of every queue of the table (a consume with the logId read from the
 * body), reads each queue's bindings, and counts what is left in LOG_INBOX (all-acked).
 */
import type { ExchangeSpec, Probe } from '../checks/routing.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { awaitConsumers, openRabbit } from './blocks/rabbitmq.js';
import { LearnerNotReadyError, type Workload, type WorkloadContext, intOptions, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/rabbitmq-topic-routing.js';

export interface TopicRoutingOptions {
  /** The routing table: one topic exchange ("logs", LOG_EXCHANGE) and its bindings. */
  exchanges: ExchangeSpec[];
  /** The events, each with the routing key the README's rule gives it. */
  events: Probe[];
  /** Events of phase 2, put on the inbox at once (their keys cycle through `events`). */
  burstEvents: number;
  /** How long after the burst the lab enters the "kill" phase. */
  killAfterMs: number;
  /** The drain ends once nothing moved for this long (a program that stopped routing never will). */
  quietMs: number;
  /** After the inbox emptied, how long the last publishes get to land before the run ends. */
  settleMs: number;
}

/** The raw log event the lab puts on LOG_INBOX. */
export interface LogEvent {
  logId: string;
  region: string;
  service: string;
  subservice?: string;
  severity: string;
  message: string;
}

/** The event's fields from its routing key: region.service[.subservice].severity. */
export function fieldsOf(routingKey: string): Omit<LogEvent, 'logId' | 'message'> {
  const words = routingKey.split('.');
  if (words.length === 3) {
    const [region, service, severity] = words as [string, string, string];
    return { region, service, severity };
  }
  if (words.length === 4) {
    const [region, service, subservice, severity] = words as [string, string, string, string];
    return { region, service, subservice, severity };
  }
  throw new Error(`an event's routing key must have 3 or 4 words (region.service[.subservice].severity): "${routingKey}"`);
}

/** Log lines' text (the router must pass it on, never read it). */
const MESSAGES = ['request took 1.2 s', 'connection pool exhausted', 'retrying upstream call', 'cache miss rate 40%', 'disk 91% full', 'user signed in'];

export const rabbitmqTopicRouting: Workload<TopicRoutingOptions> = {
  name: 'rabbitmq-topic-routing',
  parseOptions(raw) {
    const exchanges = raw.exchanges as ExchangeSpec[] | undefined;
    const events = raw.events as Probe[] | undefined;
    if (!Array.isArray(exchanges) || exchanges.length !== 1 || exchanges[0]?.type !== 'topic') throw new Error('"exchanges" must be one topic exchange with its bindings');
    if (!Array.isArray(events) || events.length === 0) throw new Error('"events" must be a non-empty list of {"id", "exchange", "routingKey"}');
    for (const event of events) fieldsOf(event.routingKey ?? '');
    return {
      exchanges,
      events,
      ...intOptions(raw, defaults),
    };
  },

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const [table] = o.exchanges as [ExchangeSpec];
    // A prefix of the run's own, so a program must take every name from its environment.
    const prefix = rabbit.name(`logs${ctx.random('topic-routing:prefix').int(0x1000, 0xffff).toString(16)}-`);
    const exchange = prefix + table.name;
    const inbox = prefix + 'inbox';
    const queues = [...new Set(table.bindings.map((b) => b.queue))];
    const channel = await rabbit.connection.createChannel();
    ctx.defer(() => channel.close().catch(() => {}));
    await channel.assertQueue(inbox, { durable: true });

    const toInbox = (m: { key: string; body: Buffer }) => rabbit.publish('', inbox, m.body, { messageId: m.key, contentType: 'application/json' });
    const logs = producer(ctx, { stream: 'logs', inlets: { logs: toInbox } });
    const burst = producer(ctx, { stream: 'burst', inlets: { burst: toInbox } });
    let sent = 0;

    return {
      env: { AMQP_URL: rabbit.url, LOG_INBOX: inbox, LOG_EXCHANGE: exchange, NAME_PREFIX: prefix },
      async awaitReady() {
        await awaitConsumers(ctx, rabbit, {
          name: 'LOG_INBOX',
          physical: inbox,
          count: 1,
          hint: 'Connect to AMQP_URL exactly as given (it names the run\'s own virtual host), declare the exchange and the queues of the table, then consume LOG_INBOX with manual acks and keep running.',
        });
        // Soft: a table with a queue missing is still graded (routes-as-specified says which).
        const allDeclared = async () => (await Promise.all(queues.map((q) => rabbit.probeQueue(prefix + q)))).every(Boolean);
        if (!(await waitUntil(allDeclared, 1_000, ctx.signal, 100))) {
          const any = (await Promise.all(queues.map((q) => rabbit.probeQueue(prefix + q)))).some(Boolean);
          if (!any) {
            throw new LearnerNotReadyError(
              `your program consumes LOG_INBOX, but none of the table's queues (${queues.map((q) => prefix + q).join(', ')}) exists`,
              'Declare every queue of the routing table (durable), its name with NAME_PREFIX in front, and bind it to LOG_EXCHANGE, before you start consuming LOG_INBOX.',
            );
          }
        }
      },
      async run() {
        ctx.progress(`publishing ${o.events.length} log events to LOG_INBOX`);
        let n = 0;
        const bodyOf = (logId: string, event: Probe): LogEvent => ({ logId, ...fieldsOf(event.routingKey ?? ''), message: `${event.id}: ${MESSAGES[n % MESSAGES.length]}` });
        for (const event of o.events) {
          const logId = messageId('log', ++n);
          if (await logs.send(logId, bodyOf(logId, event), { record: { probe: event.id, routingKey: event.routingKey } })) sent++;
        }
        const inboxEmpty = async () => (await rabbit.probeQueue(inbox))?.messageCount === 0;
        // Progress: what is still waiting in the inbox and what reached the table's queues.
        const progress = async () => {
          const counts = await Promise.all([inbox, ...queues.map((q) => prefix + q)].map(async (q) => (await rabbit.probeQueue(q))?.messageCount ?? -1));
          return counts.join(',');
        };
        const settle = async () => {
          await drain(ctx, { done: inboxEmpty, progress, quietMs: o.quietMs });
          // The inbox is empty once the last events were delivered: let their publishes land.
          await drain(ctx, { done: () => false, progress, quietMs: o.settleMs, timeoutMs: 5_000 });
        };
        await settle();
        if (o.burstEvents === 0 || ctx.signal.aborted) return;

        // Phase 2: latency on the program's connection (the scenario's network fault), the
        // burst at once, and the kill while a slow router still works through it.
        await ctx.phase('burst');
        await sleep(100, ctx.signal); // the toxic is in place
        ctx.progress(`publishing ${o.burstEvents} more log events at once, then killing your program mid-burst`);
        await Promise.all(
          Array.from({ length: o.burstEvents }, (_, i) => {
            const event = o.events[i % o.events.length] as Probe;
            const logId = messageId('burst', i + 1);
            return burst.send(logId, bodyOf(logId, event), { record: { routingKey: event.routingKey } }).then((ok) => void (ok && sent++));
          }),
        );
        await sleep(o.killAfterMs, ctx.signal);
        // The kill and the restart count as a fault still active: the drain waits for them.
        await ctx.phase('kill');
        await settle();
      },
      async collect() {
        await rabbit.recordLeftAfterStop('LOG_INBOX', inbox, sent);
        await rabbit.recordExchangeConfig(table.name, exchange);
        for (const queue of queues) {
          await rabbit.recordQueueConfig(queue, prefix + queue);
          for (const message of await rabbit.takeAll(prefix + queue)) {
            let id: string | undefined;
            try {
              id = (JSON.parse(message.content.toString()) as { logId?: unknown }).logId as string | undefined;
            } catch {
              // not an event the lab sent: recorded as unreadable
            }
            ctx.history.record({ process: 'lab', kind: 'consume', outcome: typeof id === 'string' ? 'ok' : 'fail', stream: queue, ...(typeof id === 'string' ? { key: id } : {}) });
          }
        }
      },
    };
  },
};
