/**
 * Week 8, retries with backoff and a circuit breaker: a worker sends invoices to a billing
 * partner's API, which goes down for a few seconds and comes back.
 *
 * Warm-up: the lab puts `warmupJobs` invoices on INVOICE_QUEUE, one every
 * `warmupIntervalMs`; every `flakyEvery`-th is refused with 503 on its first
 * `flakyFailures` calls (tag "flaky"): retries while the partner is healthy, with successes
 * of other jobs between them, so the waits of each retry rank can be measured and failures
 * that are not in a row must not open the circuit. Once they are all done:
 * Outage: phase "outage" starts the partner API's `schedule` (503s, then the service gone:
 * connections reset) while the lab sends `outageJobs` more, `outageBurst` at once and the
 * rest one every `outageIntervalMs`. Once the partner is back, `afterJobs` more (a program
 * that skipped invoices while its circuit was open goes on with these). Then it waits until
 * every invoice went through.
 *
 * Every call is recorded (`call`, stream "partner-api", with its window in the outage).
 */
import { parseSchedule, type ScheduleWindow } from '../runner/downstream-schedule.js';
import { changedFieldsProblem } from '../runner/downstream.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { awaitConsumers, openRabbit } from './blocks/rabbitmq.js';
import { type Workload, type WorkloadContext, intOptions, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/retry-circuit-breaker.js';

export interface RetryBreakerOptions {
  warmupJobs: number;
  warmupIntervalMs: number;
  flakyEvery: number;
  flakyFailures: number;
  outageJobs: number;
  outageBurst: number;
  outageIntervalMs: number;
  /** Sent once the partner is back (its windows over): work that must flow again. */
  afterJobs: number;
  /** The partner's bad spells, from phase "outage" on (runner/downstream-schedule.ts). */
  schedule: ScheduleWindow[];
  apiLatencyMs: number;
  apiJitterMs: number;
  /** The README's numbers, given to the program (and to the checks, as "$workload.x"). */
  baseDelayMs: number;
  maxDelayMs: number;
  failureThreshold: number;
  coolDownMs: number;
  concurrency: number;
  quietMs: number;
}

type Invoice = {
  invoiceId: string;
  customer: string;
  amountCents: number;
};

export const retryCircuitBreaker: Workload<RetryBreakerOptions> = {
  name: 'retry-circuit-breaker',
  parseOptions: (raw) => ({
    ...intOptions(raw, defaults),
    schedule: parseSchedule(raw.schedule),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const INVOICE_QUEUE = rabbit.name('invoices');
    const setup = await rabbit.connection.createChannel();
    await setup.assertQueue(INVOICE_QUEUE, { durable: true });
    await setup.close();

    const jobs = producer(ctx, {
      stream: 'invoices',
      inlets: { invoices: (m) => rabbit.publish('', INVOICE_QUEUE, m.body, { messageId: m.key, contentType: 'application/json' }) },
    });
    /** What the lab sent: the partner refuses a call that does not carry it as it is. */
    const bodies = new Map<string, Invoice>();
    const api = await ctx.downstream({
      name: 'partner-api',
      keyField: 'invoiceId',
      latencyMs: o.apiLatencyMs,
      jitterMs: o.apiJitterMs,
      failures: { flaky: `first-${o.flakyFailures}-503` },
      okBody: { accepted: '{key}' },
      schedule: o.schedule,
      reject: ({ body }) => {
        const invoice = bodies.get(String(body.invoiceId));
        return invoice && changedFieldsProblem(body, invoice, ['customer', 'amountCents'], "the invoice's");
      },
    });

    const sent: string[] = [];
    const done = () => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.stream === 'partner-api' && op.outcome === 'ok').map((op) => op.key));
    const allDone = async () => {
      const finished = done();
      return sent.every((k) => finished.has(k)) && ((await rabbit.probeQueue(INVOICE_QUEUE))?.messageCount ?? 0) === 0;
    };
    const progress = () => String(done().size);
    let count = 0;
    const send = async (tags: string[]) => {
      const invoiceId = messageId('invoice', ++count);
      const invoice: Invoice = { invoiceId, customer: `customer-${String(100 + ((count * 37) % 900))}`, amountCents: 1_000 + ((count * 7_919) % 90_000) };
      bodies.set(invoiceId, invoice);
      if (await jobs.send(invoiceId, invoice, { tags })) sent.push(invoiceId);
    };
    const drainCtx = { signal: ctx.signal, timeouts: ctx.timeouts, faultActive: () => ctx.faultActive() };

    return {
      env: {
        AMQP_URL: rabbit.url,
        INVOICE_QUEUE,
        PARTNER_API_URL: api.url,
        BASE_DELAY_MS: String(o.baseDelayMs),
        MAX_DELAY_MS: String(o.maxDelayMs),
        FAILURE_THRESHOLD: String(o.failureThreshold),
        COOL_DOWN_MS: String(o.coolDownMs),
        CONCURRENCY: String(o.concurrency),
      },
      async awaitReady() {
        await awaitConsumers(ctx, rabbit, { name: 'INVOICE_QUEUE', physical: INVOICE_QUEUE, count: ctx.instances, hint: 'Your program must start consuming INVOICE_QUEUE right after connecting to AMQP_URL.' });
      },
      async run() {
        ctx.progress(`${o.warmupJobs} invoices, some refused a few times while the partner is healthy`);
        for (let i = 1; i <= o.warmupJobs; i += 1) {
          await send(o.flakyEvery > 0 && i % o.flakyEvery === 3 % o.flakyEvery ? ['flaky'] : []);
          await sleep(o.warmupIntervalMs, ctx.signal);
        }
        await drain(drainCtx, { done: allDone, progress, quietMs: o.quietMs });
        ctx.progress(`the partner goes down for a while; ${o.outageJobs} more invoices meanwhile`);
        await ctx.phase('outage');
        for (let i = 0; i < o.outageJobs; i += 1) {
          if (i >= o.outageBurst) await sleep(o.outageIntervalMs, ctx.signal);
          await send(['outage']);
        }
        await waitUntil(() => !ctx.faultActive(), ctx.timeouts.drainMs, ctx.signal, 20);
        ctx.progress(`the partner is back; ${o.afterJobs} more invoices`);
        for (let i = 0; i < o.afterJobs; i += 1) {
          await send(['after-outage']);
          await sleep(o.warmupIntervalMs, ctx.signal);
        }
        await drain(drainCtx, { done: allDone, progress, quietMs: o.quietMs });
      },
      async collect() {
        await rabbit.recordLeftAfterStop('INVOICE_QUEUE', INVOICE_QUEUE, sent.length);
      },
    };
  },
};
