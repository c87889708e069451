/**
 * Week 8, the idempotent consumer: payments come more than once, each must be posted once.
 *
 * Two copies of the learner's program consume PAYMENTS_QUEUE (RabbitMQ). For each payment a
 * copy asks the lab's FX API for a quote (`POST /quotes`: the amount in euro cents, a quote
 * id; slow on purpose), then posts one JSON line to the ledger, the Redis list LEDGER_KEY.
 * Whatever marks a payment as posted (its idempotency key is `paymentId`) lives under
 * KEY_PREFIX. The lab follows the ledger as it grows (a `consume` operation per line, stream
 * "ledger") and records every quote call (`call`, stream "fx-api").
 *
 * Three phases, so that each classic mistake shows every run:
 * 1. "payments": `payments` payments, `flakyPayments` of them refused once by the FX API
 *    (503). The scenario's faults kill each copy in the middle of a quote and restart it: a
 *    copy that acked first loses the payment in hand, and a copy that marked it first skips it
 *    when it comes back; whatever a copy kept in memory is gone.
 * 2. "duplicates": the scenario's `duplicate` faults send copies of posted payments, through
 *    the inlet "redelivery" (the same AMQP message id, as RabbitMQ redelivers) and the inlet
 *    "producer-retry" (a new message id, as a producer retries a send whose confirm it never
 *    got). A copy that forgot (memory, a mark that expired) posts them again; one that
 *    dedupes by message id posts the new-id ones again.
 * 3. "retries": `racePairs` payments sent twice back to back (the second with a new message
 *    id, tagged "race"). The FX API holds the first quote of each until the second arrives
 *    (or `raceHoldMs`): two copies hold the same payment at once, and a program that checks
 *    its mark before the quote and sets it after posts it twice.
 * During the run and once the program has stopped, the lab scans the keys under KEY_PREFIX for
 * its marks (how long they live: from the last scan), looks for marks outside KEY_PREFIX
 * (deleting them), and counts what is left in PAYMENTS_QUEUE.
 */
import { changedFieldsProblem, whichCopyProblem } from '../runner/downstream.js';
import { recordObservation } from '../runner/observations.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { awaitConsumers, openRabbit } from './blocks/rabbitmq.js';
import { NAMESPACE_PREFIX } from '../namespaces/names.js';
import { listFollower, openRedis, removeMarks, scanMarks } from './blocks/redis.js';
import { type Workload, type WorkloadContext, every, intOptions, jsonObject, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/idempotent-consumer.js';
import { randomBytes } from 'node:crypto';

export interface IdempotentConsumerOptions {
  /** Payments of phase 1 (the kills strike among them). */
  payments: number;
  /** Of those, the ones whose first quote the FX API refuses (503). */
  flakyPayments: number;
  /** Payments of phase 3, each sent twice back to back. */
  racePairs: number;
  /** How long the FX API holds a race payment's first quote, waiting for its second. */
  raceHoldMs: number;
  fxLatencyMs: number;
  fxJitterMs: number;
  /** A drain ends once nothing moved for this long. */
  quietMs: number;
}

/** Euro cents per cent of each currency the lab sends in: the FX API's fixed rates. */
export const RATES: Readonly<Record<string, number>> = { EUR: 1, USD: 0.92, GBP: 1.17, CHF: 1.05 };

export function toEuroCents(amountCents: number, currency: string): number {
  return Math.round(amountCents * (RATES[currency] ?? 1));
}

/** The quote id the FX API gives a payment's n-th quote: the ledger line names it, and the
 *  checks trace each posting back to the quote call (which copy, when). */
export function quoteId(paymentId: string, attempt: number): string {
  return `Q-${paymentId}-${attempt}`;
}

const PAYMENT_ID = /pay-\d{4}-[0-9a-f]{6}/g;

export const idempotentConsumer: Workload<IdempotentConsumerOptions> = {
  name: 'idempotent-consumer',
  parseOptions: (raw) => {
    const o = {
      ...intOptions(raw, defaults),
    };
    if (o.flakyPayments > o.payments) throw new Error('"flakyPayments" must be at most "payments"');
    return o;
  },

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const redis = await openRedis(ctx);
    const PAYMENTS_QUEUE = rabbit.name('payments');
    const LEDGER_KEY = redis.name('ledger');
    const KEY_PREFIX = `${redis.namespace}:`;
    const setup = await rabbit.connection.createChannel();
    await setup.assertQueue(PAYMENTS_QUEUE, { durable: true });
    await setup.close();

    /** What the lab sent for each payment: the FX API refuses a quote request that differs. */
    const sent = new Map<string, { amountCents: number; currency: string; tags: string[] }>();
    const payments = producer(ctx, {
      stream: 'payments',
      inlets: {
        // The originals, each under its own message id, and a redelivery: the same id again.
        redelivery: (m) => rabbit.publish('', PAYMENTS_QUEUE, m.body, { messageId: String(m.extra?.messageId), contentType: 'application/json' }),
        // A producer's retry: the same payment under a new message id.
        'producer-retry': (m) => rabbit.publish('', PAYMENTS_QUEUE, m.body, { messageId: `msg-${randomBytes(6).toString('hex')}`, contentType: 'application/json' }),
      },
    });

    // The FX API holds a race payment's first quote until its second quote arrives.
    const secondQuote = new Map<string, () => void>();
    /** Quotes held now: the run is not quiet while one is (its copy is waiting for the answer). */
    let holding = 0;
    const fx = await ctx.downstream({
      name: 'fx-api',
      keyField: 'paymentId',
      latencyMs: o.fxLatencyMs,
      jitterMs: o.fxJitterMs,
      reject: ({ body, headers }) => {
        const copy = whichCopyProblem(headers, ctx.instances);
        if (copy) return copy;
        const payment = sent.get(String(body.paymentId));
        if (!payment) return undefined; // an unknown payment: answered 404 below
        return changedFieldsProblem(body, payment, ['amountCents', 'currency'], "the payment's");
      },
      reply: (key, attempt) => {
        const payment = sent.get(key);
        if (!payment) return { status: 404, body: { error: `unknown payment ${key}: the lab never sent it` } };
        if (payment.tags.includes('flaky') && attempt === 1) return { status: 503, body: { error: 'FX service busy, try again' } };
        return { status: 200, body: { quoteId: quoteId(key, attempt), eurCents: toEuroCents(payment.amountCents, payment.currency), currency: 'EUR' } };
      },
    });
    fx.service.onCall(async (call) => {
      if (call.attempt > 1) secondQuote.get(call.key)?.();
      if (call.attempt === 1 && sent.get(call.key)?.tags.includes('race')) {
        holding++;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, o.raceHoldMs);
          secondQuote.set(call.key, () => {
            clearTimeout(timer);
            resolve();
          });
        }).finally(() => holding--);
      }
      return 'continue';
    });

    // The ledger, followed as it grows: one `consume` per line.
    const ledger = listFollower(
      redis.client,
      LEDGER_KEY,
      (line, index) => {
        const entry = jsonObject(line);
        const key = typeof entry?.paymentId === 'string' ? entry.paymentId : undefined;
        ctx.history.record({ process: 'lab', kind: 'consume', outcome: key ? 'ok' : 'fail', stream: 'ledger', ...(key ? { key } : {}), value: { index, line: line.slice(0, 300), quoteId: entry?.quoteId ?? null, fields: entry ?? {} } });
      },
      (error) => ctx.history.record({ process: 'lab', kind: 'consume', outcome: 'fail', stream: 'ledger', value: { error } }),
    );
    const stopFollowing = every(50, ctx.signal, async () => void (await ledger.read()));
    ctx.defer(stopFollowing);

    // The learner's marks, scanned now and then: which payments were marked at some point
    // (a mark set before the work shows here even if removed later). How long marks last is
    // judged from the last scan only, once the program has stopped: a lease held during the
    // work is not a mark.
    /** Each marked payment, with when a scan first saw it marked. */
    const marked = new Map<string, number>();
    let keysScanned = 0;
    const scan = async () => {
      const startedAt = ctx.history.now();
      const found = await scanMarks(redis.client, `${KEY_PREFIX}*`, (key) => key === LEDGER_KEY, PAYMENT_ID);
      for (const id of found.marked) if (!marked.has(id)) marked.set(id, startedAt);
      keysScanned = found.keys;
      return found;
    };
    const stopScanning = every(500, ctx.signal, async () => void (await scan()));
    ctx.defer(stopScanning);

    const random = ctx.random('payments');
    const currencies = Object.keys(RATES);
    let count = 0;
    const send = async (phase: string, tags: string[]): Promise<string> => {
      const paymentId = messageId('pay', ++count);
      const body = { paymentId, account: `ACC-${String(random.int(1, 40)).padStart(2, '0')}`, amountCents: random.int(100, 99_999), currency: currencies[random.int(0, currencies.length - 1)] ?? 'EUR' };
      sent.set(paymentId, { amountCents: body.amountCents, currency: body.currency, tags });
      const messageIdOfOriginal = `msg-${randomBytes(6).toString('hex')}`;
      await payments.send(paymentId, body, { tags, record: { phase, eurCents: toEuroCents(body.amountCents, body.currency), messageId: messageIdOfOriginal }, extra: { messageId: messageIdOfOriginal } });
      return paymentId;
    };

    const quotes = () => ctx.history.history.filter((op) => op.kind === 'call' && op.stream === 'fx-api');
    const posted = () => new Set(ctx.history.history.filter((op) => op.kind === 'consume' && op.stream === 'ledger' && op.outcome === 'ok').map((op) => op.key));
    const queueState = async () => (await rabbit.probeQueue(PAYMENTS_QUEUE)) ?? { messageCount: 0, consumerCount: 0 };
    let baseline = 0;
    const progress = async () => {
      const q = await queueState();
      return `${quotes().length}|${posted().size}|${q.messageCount}|${q.consumerCount}`;
    };
    const allPosted = (keys: readonly string[]) => async () => {
      const done = posted();
      return keys.every((k) => done.has(k)) && (await queueState()).messageCount === 0;
    };
    const drainCtx = { signal: ctx.signal, timeouts: ctx.timeouts, faultActive: () => ctx.faultActive() || holding > 0 };
    /** After the kills: both copies consume again (bounded; a copy that died on its own is not waited for). */
    const consumersBack = () => waitUntil(async () => !ctx.learners.processes.every((p) => p.running) || (await queueState()).consumerCount >= baseline, ctx.timeouts.readyMs, ctx.signal, 100);

    return {
      env: {
        AMQP_URL: rabbit.url,
        PAYMENTS_QUEUE,
        REDIS_URL: redis.url,
        KEY_PREFIX,
        LEDGER_KEY,
        FX_API_URL: fx.url,
      },
      async awaitReady() {
        baseline = await awaitConsumers(ctx, rabbit, {
          name: 'PAYMENTS_QUEUE',
          physical: PAYMENTS_QUEUE,
          count: ctx.instances,
          hint: 'Each copy must start consuming PAYMENTS_QUEUE right after connecting to AMQP_URL and REDIS_URL.',
        });
      },
      async run() {
        await ctx.phase('payments');
        ctx.progress(`phase 1: ${o.payments} payments, ${o.flakyPayments} refused once by the FX API; each copy will be killed mid-quote and restarted`);
        const flakyAt = new Set(Array.from({ length: o.flakyPayments }, (_, i) => Math.floor(((i + 1) * o.payments) / (o.flakyPayments + 1))));
        const firstPhase: string[] = [];
        for (let i = 0; i < o.payments; i++) firstPhase.push(await send('payments', flakyAt.has(i) ? ['flaky'] : []));
        await drain(drainCtx, { done: allPosted(firstPhase), progress, quietMs: o.quietMs });
        await ctx.faultsSettled();
        await consumersBack();

        ctx.progress('phase 2: copies of payments already posted (a redelivery, a producer retry)');
        // What is marked now is marked before any copy comes (the scans also run on a timer).
        await scan();
        await ctx.phase('duplicates');
        await ctx.faultsSettled();
        // Nothing says when a copy was handled (a skipped copy leaves no trace but its ack):
        // the phase ends once nothing has moved for a moment.
        await drain(drainCtx, { done: () => false, progress, quietMs: Math.min(o.quietMs, 800) });

        ctx.progress(`phase 3: ${o.racePairs} payments sent twice at once, to both copies`);
        await scan();
        await ctx.phase('retries');
        const racing: string[] = [];
        for (let i = 0; i < o.racePairs; i++) {
          const paymentId = await send('retries', ['race']);
          racing.push(paymentId);
          await payments.resend('producer-retry', paymentId, { tags: ['duplicate', 'new-message-id', 'race'] });
        }
        await drain(drainCtx, { done: allPosted(racing), progress, quietMs: Math.min(o.quietMs, 1_000) });
        // A second posting of a race payment comes right after the first: give it a moment.
        await sleep(600, ctx.signal);
        await ledger.read();
      },
      async collect() {
        await rabbit.recordLeftAfterStop('PAYMENTS_QUEUE', PAYMENTS_QUEUE, count);
        await ledger.read();
        const last = await scan();
        // The shortest-lived mark of a posted payment (each by its longest-lived key).
        let shortest: { ttlMs: number; key: string } | undefined;
        for (const kept of last.keptFor.values()) if (Number.isFinite(kept.ttlMs) && (!shortest || kept.ttlMs < shortest.ttlMs)) shortest = kept;
        // Marks outside KEY_PREFIX: keys named with or holding this run's payment ids (unique to
        // it), deleted once found, so that nothing of the run is left behind. Not on a shared
        // Redis, whose other keys are other learners' (and the program cannot write there).
        const ours = (key: string) => key.startsWith(`${NAMESPACE_PREFIX}`) || (ctx.shared !== undefined && key.startsWith(ctx.shared.prefix));
        const outsideMarks = ctx.shared ? [] : (await scanMarks(redis.client, '*', ours, PAYMENT_ID, 5_000)).markKeys.filter((mark) => mark.ids.some((id) => sent.has(id)));
        for (const mark of outsideMarks) await removeMarks(redis.client, mark, mark.ids.filter((id) => sent.has(id)));
        const outside = outsideMarks.map((mark) => mark.key);
        recordObservation(ctx.history, 'processed-marks', {
          marked: [...marked.keys()].sort(),
          markedAt: Object.fromEntries(marked),
          keys: keysScanned,
          ...(shortest ? { shortestTtlMs: shortest.ttlMs, shortestTtlKey: shortest.key.slice(KEY_PREFIX.length) } : {}),
          ...(outside.length > 0 ? { outsidePrefix: outside.slice(0, 5), outsideCount: outside.length } : {}),
        });
      },
    };
  },
};
