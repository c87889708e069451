/**
 * Week 1, request-reply with correlation ids.
 *
 * The learner writes the caller; the lab plays everyone else. Its "callers" put questions on
 * QUESTIONS_QUEUE ({"questionId", "sku"}), which the learner's two copies share as a work
 * queue. For each question a copy sends a request {"sku"} to the lab's price service on
 * PRICE_REQUESTS, with `replyTo` (its own reply queue) and a unique `correlationId`, waits at
 * most DEADLINE_MS for the reply and reports the outcome to the lab's answers API: the price,
 * or {"timedOut": true}.
 *
 * The price service (this workload consumes PRICE_REQUESTS itself) replies {"price"} to
 * `replyTo` with the request's correlationId, after a delay chosen per question. Every
 * question's sku is its own and so is its price, so an answer tells which reply it came from.
 * The reply does not repeat the sku: only the correlationId says which request it answers.
 *
 * The schedule, built from the mistakes backwards (the seed varies only the values):
 * - all questions at once, so each copy has many requests in flight;
 * - the first two questions (one for each copy: RabbitMQ hands a burst out in turn) get the
 *   slowest on-time replies and every other on-time reply is faster, so replies always come
 *   back out of order: the request a copy sent first is still waiting when its later ones
 *   are answered. Matching replies by order gives wrong prices, every run;
 * - a few replies come after the deadline, spread from 100 ms to `lateByMs` past it: they
 *   must be answered timedOut at the deadline and the late reply dropped; a caller without a
 *   deadline accepts them, and so does one that waits a little longer than the deadline;
 * - the queues' names are this run's own: a program that hardcodes them gets no questions;
 * - after the copies stopped, the lab counts the questions back in QUESTIONS_QUEUE: taken
 *   and never acked (all-acked);
 * - a few replies are sent twice: a caller that does not forget a correlationId once
 *   answered answers twice;
 * - two copies run at once: a reply queue both consume (a fixed name) makes RabbitMQ hand
 *   each copy some of the other's replies. The lab counts a reply queue's consumers (passive
 *   declare) when it first sees it in a request's replyTo, and again at the end.
 */
import { recordObservation } from '../runner/observations.js';
import type { Random } from '../runner/seed.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { openRabbit } from './blocks/rabbitmq.js';
import { type Workload, type WorkloadContext, intOptions, LearnerNotReadyError, messageId, waitUntil } from './types.js';
import { defaults } from './options/rabbitmq-request-reply.js';

export interface RequestReplyOptions {
  questions: number;
  /** Questions whose reply comes after the deadline: from 100 ms to `lateByMs` after it. */
  lateReplies: number;
  /** Questions whose reply is sent twice, `duplicateAfterMs` apart. */
  duplicateReplies: number;
  deadlineMs: number;
  /** On-time replies come this soon after the request, at the earliest ... */
  minReplyMs: number;
  /** ... and at the latest (the first two questions; all others at most 150 ms sooner). */
  maxReplyMs: number;
  lateByMs: number;
  duplicateAfterMs: number;
  /** The checks' slack around the deadline (see checks/request-reply.ts): on-time replies
   *  must come well before deadlineMs - toleranceMs. */
  toleranceMs: number;
  /** Every question must be answered this soon after the lab asked it (the latency check). */
  answerWithinMs: number;
  /** After the last reply, how long the lab keeps listening for answers it should not get. */
  settleMs: number;
  /** The drain ends once nothing moved for this long (longer than the deadline). */
  quietMs: number;
}

type QuestionKind = 'on-time' | 'late' | 'duplicate';

/** The earliest late reply comes this long after the deadline: later than a correct
 *  program's timer can fire on a busy machine. */
const MIN_LATE_BY_MS = 100;

interface Plan {
  id: string;
  sku: string;
  price: number;
  kind: QuestionKind;
  replyAfterMs: number;
}

/** The questions in the order the lab asks them, with their replies' schedule (pure). */
export function planQuestions(o: RequestReplyOptions, random: Random, id: (n: number) => string): Plan[] {
  const n = Math.max(o.questions, 2 + o.lateReplies + o.duplicateReplies);
  const kinds: QuestionKind[] = Array(n).fill('on-time');
  // Specials alternate (late, duplicate, late, ...) and are spread over positions 2.., so
  // each kind lands on even and odd positions: on both copies when a burst is handed out in turn.
  const specials: QuestionKind[] = [];
  for (let i = 0; i < Math.max(o.lateReplies, o.duplicateReplies); i++) {
    if (i < o.lateReplies) specials.push('late');
    if (i < o.duplicateReplies) specials.push('duplicate');
  }
  specials.forEach((kind, j) => (kinds[2 + Math.floor((j * (n - 2)) / specials.length)] = kind));
  // Late replies spread from 100 ms past the deadline to lateByMs past it: a program that
  // waits a little longer than the deadline takes the earliest of them.
  const lates = kinds.filter((k) => k === 'late').length;
  const lateBy = Array.from({ length: Math.max(lates, 1) }, (_, k) => (lates <= 1 ? o.lateByMs : Math.round(MIN_LATE_BY_MS + (k * (o.lateByMs - MIN_LATE_BY_MS)) / (lates - 1))));
  let lateIndex = 0;
  const skus = new Set<string>();
  const prices = new Set<number>();
  return kinds.map((kind, i) => {
    let sku: string;
    do sku = `SKU-${random.int(10_000, 99_999)}`;
    while (skus.has(sku));
    skus.add(sku);
    let cents: number;
    do cents = random.int(500, 19_999);
    while (prices.has(cents));
    prices.add(cents);
    const replyAfterMs =
      kind === 'late' ? o.deadlineMs + lateBy[lateIndex++ % lateBy.length]! : i === 0 ? o.maxReplyMs : i === 1 ? o.maxReplyMs - 40 : random.int(o.minReplyMs, o.maxReplyMs - 150);
    return { id: id(i + 1), sku, price: cents / 100, kind, replyAfterMs };
  });
}

export const rabbitmqRequestReply: Workload<RequestReplyOptions> = {
  name: 'rabbitmq-request-reply',
  parseOptions(raw) {
    const o: RequestReplyOptions = {
      ...intOptions(raw, defaults),
    };
    // On-time replies must be clearly on time, late ones clearly late, even on a busy machine.
    if (o.maxReplyMs + 100 > o.deadlineMs - o.toleranceMs) throw new Error('"maxReplyMs" must be at least 100 ms below deadlineMs - toleranceMs');
    if (o.minReplyMs + 150 > o.maxReplyMs) throw new Error('"minReplyMs" must be at least 150 ms below maxReplyMs');
    if (o.lateByMs < 2 * MIN_LATE_BY_MS) throw new Error(`"lateByMs" must be at least ${2 * MIN_LATE_BY_MS}`);
    return o;
  },

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    // Names of this run's own, so a program must read them from the environment.
    const suffix = ctx.random('request-reply:names').int(0x1000, 0xffff).toString(16);
    const QUESTIONS_QUEUE = rabbit.name(`questions-${suffix}`);
    const PRICE_REQUESTS = rabbit.name(`price-requests-${suffix}`);
    const answersApi = await ctx.downstream({
      name: 'answers-api',
      keyField: 'questionId',
      latencyMs: 2,
      jitterMs: 3,
      okBody: { recorded: '{key}' },
      recordFields: ['price', 'timedOut'],
    });
    const plans = planQuestions(o, ctx.random('request-reply:schedule'), (n) => messageId('question', n));
    const bySku = new Map(plans.map((p) => [p.sku, p]));

    // The lab's side of the conversation: both queues exist before the program starts.
    const channel = await rabbit.connection.createChannel();
    channel.on('error', () => {});
    await channel.assertQueue(QUESTIONS_QUEUE, { durable: true });
    await channel.assertQueue(PRICE_REQUESTS, { durable: true });

    // Questions go out through the producer: recorded, and open to `duplicate` and `poison`.
    const questions = producer(ctx, { stream: 'questions', inlets: { questions: (m) => rabbit.publish('', QUESTIONS_QUEUE, m.body, { messageId: m.key, contentType: 'application/json' }) } });
    let serving = true;
    const timers = new Set<NodeJS.Timeout>();
    let lastReplyAt = 0;
    const replyQueues = new Set<string>();
    const stopServing = () => {
      serving = false;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    };
    ctx.defer(stopServing);

    /** How many consumers a reply queue has (direct reply-to and exclusive queues cannot be
     *  probed from another connection: a queue only one connection may use is not shared). */
    const probeReplyQueue = async (queue: string): Promise<void> => {
      if (queue.startsWith('amq.rabbitmq.reply-to')) return;
      const state = await rabbit.probeQueue(queue);
      if (!state) return;
      recordObservation(ctx.history, 'amqp-reply-queue', { queue, consumers: state.consumerCount });
    };

    // The price service's replies, each to the queue its request names (a fault's message of
    // its own goes to the last one), through the producer: recorded, and open to faults.
    let lastReplyTo: string | undefined;
    const replies = producer(ctx, {
      stream: 'price-replies',
      inlets: {
        'price-replies': async (m) => {
          const { replyTo = lastReplyTo, correlationId } = (m.extra ?? {}) as { replyTo?: string; correlationId?: string };
          if (replyTo === undefined) throw new Error('no request named a queue to reply to yet');
          await rabbit.publish('', replyTo, m.body, { persistent: false, contentType: 'application/json', ...(correlationId === undefined ? {} : { correlationId }) });
        },
      },
    });
    const reply = async (plan: Plan, replyTo: string, correlationId: string | undefined, copy: number, afterMs: number): Promise<void> => {
      if (!serving) return;
      lastReplyTo = replyTo;
      lastReplyAt = Date.now();
      // Recorded before it is published: no answer can come from it earlier than this.
      await replies.send(plan.id, { price: plan.price }, {
        record: { replyTo, correlationId: correlationId ?? null, copy, afterMs },
        extra: { replyTo, ...(correlationId === undefined ? {} : { correlationId }) },
        recordFirst: true,
      });
    };

    await channel.consume(
      PRICE_REQUESTS,
      (message) => {
        if (message === null || !serving) return;
        const text = message.content.toString();
        const replyTo = typeof message.properties.replyTo === 'string' && message.properties.replyTo !== '' ? (message.properties.replyTo as string) : undefined;
        const rawId = message.properties.correlationId as unknown;
        const correlationId = typeof rawId === 'string' && rawId !== '' ? rawId : undefined;
        let sku: unknown;
        try {
          sku = (JSON.parse(text) as { sku?: unknown } | null)?.sku;
        } catch {
          // not JSON: recorded as unreadable below
        }
        const plan = typeof sku === 'string' ? bySku.get(sku) : undefined;
        const problem = !plan ? (typeof sku === 'string' ? `unknown sku ${JSON.stringify(sku)}` : 'not JSON with a "sku"') : !replyTo ? 'no replyTo, so nowhere to reply' : undefined;
        ctx.history.record({
          process: 'lab',
          kind: 'consume',
          outcome: problem ? 'fail' : 'ok',
          stream: 'price-requests',
          ...(plan ? { key: plan.id } : {}),
          value: { sku: typeof sku === 'string' ? sku : null, replyTo: replyTo ?? null, correlationId: correlationId ?? null, ...(problem ? { problem, body: text.slice(0, 120) } : {}) },
        });
        if (!plan || !replyTo || problem) return;
        if (!replyQueues.has(replyTo)) {
          replyQueues.add(replyTo);
          void probeReplyQueue(replyTo).catch(() => {});
        }
        const copies = plan.kind === 'duplicate' ? 2 : 1;
        for (let copy = 1; copy <= copies; copy++) {
          const afterMs = plan.replyAfterMs + (copy - 1) * o.duplicateAfterMs;
          const timer = setTimeout(() => {
            timers.delete(timer);
            void reply(plan, replyTo, correlationId, copy, afterMs);
          }, afterMs);
          timers.add(timer);
        }
      },
      { noAck: true },
    );

    const answers = () => ctx.history.history.filter((op) => op.kind === 'call' && op.stream === 'answers-api' && op.outcome === 'ok');
    const consumers = async () => (await rabbit.probeQueue(QUESTIONS_QUEUE))?.consumerCount ?? 0;

    return {
      env: {
        AMQP_URL: rabbit.url,
        QUESTIONS_QUEUE,
        PRICE_REQUESTS,
        ANSWERS_API_URL: answersApi.url,
        DEADLINE_MS: String(o.deadlineMs),
      },
      async awaitReady() {
        // Every copy consumes questions before the burst, so RabbitMQ shares it out between them.
        if (await waitUntil(async () => (await consumers()) >= ctx.instances, ctx.timeouts.readyMs, ctx.signal, 100)) return;
        if ((await consumers()) > 0) return;
        throw new LearnerNotReadyError(
          `nobody consumed from the queue "${QUESTIONS_QUEUE}" within ${ctx.timeouts.readyMs / 1000}s`,
          'Connect to AMQP_URL, set up your reply queue and its consumer, then consume QUESTIONS_QUEUE (it already exists: do not declare it with other settings).',
        );
      },
      async run() {
        const late = plans.filter((p) => p.kind === 'late').length;
        const twice = plans.filter((p) => p.kind === 'duplicate').length;
        ctx.progress(`asking ${plans.length} questions at once (${late} replies will come after the deadline, ${twice} twice)`);
        await Promise.all(
          plans.map(async (plan) => {
            // No copy can start waiting for this question before this moment (the checks' floor).
            const sentAt = ctx.history.now();
            await questions.send(plan.id, { questionId: plan.id, sku: plan.sku }, { tags: plan.kind === 'on-time' ? [] : [plan.kind], record: { price: plan.price, sentAt, replyAfterMs: plan.replyAfterMs } });
          }),
        );
        const requests = () => ctx.history.history.filter((op) => op.kind === 'consume' && op.stream === 'price-requests').length;
        const replies = () => ctx.history.history.filter((op) => op.kind === 'produce' && op.stream === 'price-replies').length;
        await drain(ctx, {
          // Every question answered, every reply sent (late and second ones too), and a
          // moment more: an answer taken from a late or repeated reply would come now.
          done: () => {
            const answered = new Set(answers().map((op) => op.key));
            return plans.every((p) => answered.has(p.id)) && timers.size === 0 && Date.now() - lastReplyAt >= o.settleMs;
          },
          progress: () => `${answers().length}/${requests()}/${replies()}`,
          quietMs: o.quietMs,
        });
        // The copies still run: how many consumers each reply queue has now.
        await Promise.all([...replyQueues].map((q) => probeReplyQueue(q).catch(() => {})));
        stopServing();
        await channel.close().catch(() => {});
      },
      async collect() {
        await rabbit.recordLeftAfterStop('QUESTIONS_QUEUE', QUESTIONS_QUEUE, plans.length);
      },
    };
  },
};
