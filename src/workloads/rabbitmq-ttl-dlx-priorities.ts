/**
 * Week 6, TTL, dead-letter exchanges and priorities: a support-ticket dispatcher.
 *
 * The learner's program declares the topology: TICKETS_QUEUE (x-max-priority, x-message-ttl
 * TICKET_TTL_MS, x-dead-letter-exchange DEAD_LETTER_EXCHANGE with x-dead-letter-routing-key
 * DEAD_LETTER_ROUTING_KEY), NOTIFY_QUEUE (the same dead-lettering, no TTL), the direct
 * exchange DEAD_LETTER_EXCHANGE and DEAD_LETTER_QUEUE bound to it. It consumes the tickets
 * the lab publishes (prefetch 1, manual acks), assigns each through the lab's agent API
 * (AGENT_API_URL), then tells the customer on NOTIFY_QUEUE: a receipt for every ticket (kept
 * until the customer's app fetches it), and for an urgent one also a callback offer that is
 * only good for OFFER_TTL_MS (a per-message expiration), and acks the ticket.
 *
 * Two phases, each opened by a "blocker" ticket whose agent call the lab holds (an agent on a
 * hard case), so the dispatcher is busy while tickets queue up behind it, every run:
 * 1. "rush": while the blocker's call is held, `rushNormal` normal tickets (priority 1), then
 *    `rushUrgent` urgent ones (priority 9) are published and confirmed; the call is released
 *    only then. With x-max-priority and prefetch 1 the urgent ones go to the agents first;
 *    without the priority queue, or with a consumer that took the normal tickets as they
 *    came (a large prefetch, an ack on arrival), the normal ones do (priority-order).
 * 2. "stale": while the second blocker's call is held, `staleTickets` more tickets are
 *    published; every agent call (the blocker's, its retries, any other) is held until
 *    TICKET_TTL_MS + `holdMarginMs` after the last one, so every one of them waits past the
 *    queue's TTL whatever the program's client timeout: RabbitMQ must dead-letter them
 *    (x-death reason "expired", queue TICKETS_QUEUE), none may reach an agent at all
 *    (expired-to-dead-letter).
 *
 * Afterwards the lab is the customer's app: once the last offer is older than OFFER_TTL_MS
 * it takes everything from NOTIFY_QUEUE (receipts must be there, offers must have expired:
 * message-ttl), then everything from DEAD_LETTER_QUEUE, and records each queue's arguments.
 */
import type { GetMessage } from 'amqplib';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { awaitConsumers, openRabbit } from './blocks/rabbitmq.js';
import { type Workload, type WorkloadContext, intOptions, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/rabbitmq-ttl-dlx-priorities.js';

export type TtlDlxPrioritiesOptions = { -readonly [K in keyof typeof defaults]: number };

/** The priorities the lab publishes with (README): x-max-priority must be at least URGENT. */
export const URGENT_PRIORITY = 9;
export const NORMAL_PRIORITY = 1;
/** The routing key every dead-lettered message must carry to reach DEAD_LETTER_QUEUE. */
export const DEAD_LETTER_ROUTING_KEY = 'expired';

/** A ticket as the lab publishes it. */
export interface Ticket {
  ticketId: string;
  customer: string;
  subject: string;
  urgent: boolean;
  /** When the lab created it (ms since the epoch). */
  createdAt: number;
}

const SUBJECTS = ['cannot log in', 'card charged twice', 'parcel never arrived', 'app crashes on start', 'wrong size delivered', 'password reset mail missing'];
const URGENT_SUBJECTS = ['site down for our whole team', 'payment terminal offline', 'data breach suspected', 'production outage'];

export const rabbitmqTtlDlxPriorities: Workload<TtlDlxPrioritiesOptions> = {
  name: 'rabbitmq-ttl-dlx-priorities',
  parseOptions: (raw) => ({ ...intOptions(raw, defaults) }),

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const TICKETS_QUEUE = rabbit.name('tickets');
    const NOTIFY_QUEUE = rabbit.name('notifications');
    const DEAD_LETTER_EXCHANGE = rabbit.name('support.dlx');
    const DEAD_LETTER_QUEUE = rabbit.name('tickets.expired');
    const roleOf = new Map([
      [TICKETS_QUEUE, 'tickets'],
      [NOTIFY_QUEUE, 'notifications'],
    ]);

    const tickets = producer(ctx, {
      stream: 'tickets',
      inlets: {
        tickets: (m) => {
          const urgent = (JSON.parse(m.body.toString()) as Partial<Ticket>).urgent === true;
          return rabbit.publish('', TICKETS_QUEUE, m.body, { messageId: m.key, contentType: 'application/json', priority: urgent ? URGENT_PRIORITY : NORMAL_PRIORITY });
        },
      },
    });
    const { service: agentApi, url: agentUrl } = await ctx.downstream({ name: 'agent-api', keyField: 'ticketId', latencyMs: o.agentLatencyMs, okBody: { assigned: '{key}' } });

    /** While a phase's window is open (from its blocker's publish until its release), EVERY
     *  agent call is held until the release: the blocker's first call, its retry after a
     *  client timeout, and any ticket the program took meanwhile. So however the program times
     *  out or retries, the agents stay busy and the phase's tickets wait in the queue (a
     *  program with a timeout cannot let the stale tickets reach an agent before their TTL). */
    let holding: (() => boolean) | undefined;
    const arrived = new Set<string>();
    agentApi.onCall(async (call) => {
      arrived.add(call.key);
      const release = holding;
      if (release) await waitUntil(release, o.ticketTtlMs + o.holdMarginMs + ctx.timeouts.drainMs, ctx.signal, 10);
      return 'continue';
    });

    let n = 0;
    const send = async (kind: 'normal' | 'urgent', phase: string): Promise<string> => {
      const ticketId = messageId('ticket', ++n);
      const urgent = kind === 'urgent';
      const subjects = urgent ? URGENT_SUBJECTS : SUBJECTS;
      const body: Ticket = { ticketId, customer: `customer-${100 + n}`, subject: subjects[n % subjects.length] as string, urgent, createdAt: Date.now() };
      await tickets.send(ticketId, body, { tags: [kind, phase], record: { priority: urgent ? URGENT_PRIORITY : NORMAL_PRIORITY } });
      return ticketId;
    };
    const assigned = () => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.outcome === 'ok').map((op) => op.key));
    const deadLettered = async () => (await rabbit.probeQueue(DEAD_LETTER_QUEUE))?.messageCount ?? 0;
    const progress = async () => `${assigned().size}/${await deadLettered()}`;

    /** Publishes a blocker ticket, waits until its agent call is held, runs `queueUp`, then
     *  lets the call go once `release` holds. */
    const behindBlocker = async (phase: string, queueUp: () => Promise<void>, release: () => boolean): Promise<string> => {
      const blocker = messageId('ticket', ++n);
      let open = false;
      const released = () => open && release();
      holding = released;
      const body: Ticket = { ticketId: blocker, customer: `customer-${100 + n}`, subject: 'needs a long investigation', urgent: false, createdAt: Date.now() };
      await tickets.send(blocker, body, { tags: ['normal', 'blocker'], record: { phase, priority: NORMAL_PRIORITY } });
      if (!(await waitUntil(() => arrived.has(blocker), ctx.timeouts.readyMs, ctx.signal, 10))) {
        ctx.progress(`the blocker ticket ${blocker} never reached the agent API: publishing the ${phase} tickets all the same`);
      }
      await queueUp();
      open = true;
      // Calls that arrive after the release are answered at once.
      void waitUntil(released, o.ticketTtlMs + o.holdMarginMs + ctx.timeouts.drainMs, ctx.signal, 10).then(() => {
        if (holding === released) holding = undefined;
      });
      return blocker;
    };

    const rush: string[] = [];
    const stale: string[] = [];
    let lastStaleAt = 0;

    return {
      env: {
        AMQP_URL: rabbit.url,
        TICKETS_QUEUE,
        NOTIFY_QUEUE,
        DEAD_LETTER_EXCHANGE,
        DEAD_LETTER_QUEUE,
        DEAD_LETTER_ROUTING_KEY,
        TICKET_TTL_MS: String(o.ticketTtlMs),
        OFFER_TTL_MS: String(o.offerTtlMs),
        AGENT_API_URL: agentUrl,
      },
      async awaitReady() {
        await awaitConsumers(ctx, rabbit, {
          name: 'TICKETS_QUEUE',
          physical: TICKETS_QUEUE,
          count: 1,
          hint: 'Connect to AMQP_URL exactly as given (it names the run\'s own virtual host), declare the dead-letter exchange and queue, NOTIFY_QUEUE and TICKETS_QUEUE with their arguments, then consume TICKETS_QUEUE (prefetch 1, manual acks) and keep running.',
        });
        // Soft: a missing queue is graded by the checks, which say which one.
        await waitUntil(async () => (await rabbit.probeQueue(NOTIFY_QUEUE)) !== undefined && (await rabbit.probeQueue(DEAD_LETTER_QUEUE)) !== undefined, 1_000, ctx.signal, 100);
      },
      async run() {
        // Phase 1: a rush of tickets queues up behind a busy agent, normal ones first.
        await ctx.phase('rush');
        ctx.progress(`rush: ${o.rushNormal} normal, then ${o.rushUrgent} urgent tickets while your dispatcher is busy`);
        await behindBlocker(
          'rush',
          async () => {
            for (let i = 0; i < o.rushNormal; i++) rush.push(await send('normal', 'rush'));
            for (let i = 0; i < o.rushUrgent; i++) rush.push(await send('urgent', 'rush'));
          },
          () => true,
        );
        const rushDone = () => {
          const ok = assigned();
          return rush.every((id) => ok.has(id));
        };
        await drain(ctx, { done: rushDone, progress, quietMs: o.quietMs });

        // Phase 2: tickets wait behind a busy agent for longer than the queue's TTL.
        await ctx.phase('stale');
        ctx.progress(`stale: ${o.staleTickets} tickets wait longer than TICKET_TTL_MS (${o.ticketTtlMs} ms) behind a busy agent`);
        const blocker = await behindBlocker(
          'stale',
          async () => {
            for (let i = 0; i < o.staleTickets; i++) stale.push(await send('normal', 'stale'));
            lastStaleAt = Date.now();
          },
          () => Date.now() >= lastStaleAt + o.ticketTtlMs + o.holdMarginMs,
        );
        // Nothing moves while the agent is busy: the drain starts once the blocker is done.
        await waitUntil(() => assigned().has(blocker), o.ticketTtlMs + o.holdMarginMs + ctx.timeouts.drainMs, ctx.signal, 50);
        const staleSettled = async () => {
          const ok = assigned();
          if (!ok.has(blocker)) return false;
          const late = stale.filter((id) => ok.has(id)).length;
          return late + (await deadLettered()) >= stale.length;
        };
        await drain(ctx, { done: staleSettled, progress, quietMs: o.quietMs });
      },
      async collect() {
        // The customer's app comes online: every callback offer must be older than its TTL by now.
        const lastCall = Math.max(0, ...ctx.history.history.filter((op) => op.kind === 'call').map((op) => op.t));
        const wait = lastCall + o.offerTtlMs + 300 - ctx.history.now();
        if (wait > 0) await sleep(wait, ctx.signal);
        for (const message of await rabbit.takeAll(NOTIFY_QUEUE)) {
          const { ticketId, type } = readBody(message);
          ctx.history.record({ process: 'lab', kind: 'consume', outcome: ticketId ? 'ok' : 'fail', stream: 'notifications', ...(ticketId ? { key: ticketId } : {}), value: { type, expiration: message.properties.expiration ?? null } });
        }
        // Expired offers are dead-lettered as the app's reads bring them to the queue's head.
        let count = -1;
        await waitUntil(
          async () => {
            const now = await deadLettered();
            const stable = now === count;
            count = now;
            return stable;
          },
          2_000,
          ctx.signal,
          200,
        );
        for (const message of await rabbit.takeAll(DEAD_LETTER_QUEUE)) {
          const { ticketId, type } = readBody(message);
          const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
          const death = (headers['x-death'] as Array<Record<string, unknown>> | undefined)?.[0];
          const queue = typeof death?.queue === 'string' ? death.queue : null;
          ctx.history.record({
            process: 'lab',
            kind: 'dead-letter',
            outcome: 'ok',
            stream: 'dead-letter',
            ...(ticketId ? { key: ticketId } : {}),
            value: {
              type: type ?? 'ticket',
              reason: typeof death?.reason === 'string' ? death.reason : null,
              queue: queue === null ? null : (roleOf.get(queue) ?? queue),
              originalExpiration: death?.['original-expiration'] === undefined ? null : String(death['original-expiration']),
            },
          });
        }
        await rabbit.recordQueueConfig('tickets', TICKETS_QUEUE);
        await rabbit.recordQueueConfig('notifications', NOTIFY_QUEUE);
        await rabbit.recordQueueConfig('dead-letter', DEAD_LETTER_QUEUE);
      },
    };
  },
};

/** A ticket's or notification's id and type, if its body is JSON with them. */
function readBody(message: GetMessage): { ticketId?: string; type?: string } {
  try {
    const body = JSON.parse(message.content.toString()) as { ticketId?: unknown; type?: unknown };
    return { ...(typeof body.ticketId === 'string' ? { ticketId: body.ticketId } : {}), ...(typeof body.type === 'string' ? { type: body.type } : {}) };
  } catch {
    return {};
  }
}
