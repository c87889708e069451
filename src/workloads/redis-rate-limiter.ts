/**
 * Week 8, rate limiting: several copies share one SMS provider's limit through a token
 * bucket in Redis.
 *
 * The lab puts `messages` SMS messages on SMS_QUEUE (RabbitMQ) at once: a backlog. Every copy
 * of the learner's program consumes it and sends each message with one call to the lab's SMS
 * API, which allows `ratePerSecond` calls per second with bursts of `burst` (a token bucket).
 * The API enforces its limit with a bucket of its own, `toleranceCalls` larger (so network
 * jitter never makes a correct program fail), and answers 429 to a call that finds it empty.
 * Every call is recorded (`call`, stream "sms-api", status 429 for a refused one).
 *
 * The scenario's fault kills one copy in the middle of a call and does not restart it: what
 * it held must be sent by the others, and the survivors must then use the whole limit (a
 * program that splits the limit into fixed shares per copy slows down).
 */
import { changedFieldsProblem, whichCopyProblem } from '../runner/downstream.js';
import { recordObservation } from '../runner/observations.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { awaitConsumers, openRabbit } from './blocks/rabbitmq.js';
import { openRedis } from './blocks/redis.js';
import { keysMatching } from '../namespaces/redis.js';
import { type Workload, type WorkloadContext, every, intOptions, messageId, sleep } from './types.js';
import { defaults } from './options/redis-rate-limiter.js';

export interface RateLimiterOptions {
  messages: number;
  /** Of those, the ones whose first call the API refuses with 503 (busy: send it again). */
  flakyMessages: number;
  /** After the backlog is sent: this long without messages, then `afterIdleMessages` at once.
   *  A bucket that refills past BURST while idle lets them out in one bunch. */
  idleMs: number;
  afterIdleMessages: number;
  ratePerSecond: number;
  burst: number;
  /** How many calls more than `burst` the API's own bucket holds before it refuses. */
  toleranceCalls: number;
  apiLatencyMs: number;
  apiJitterMs: number;
  quietMs: number;
}

/**
 * A token bucket over a clock in ms (pure but for its state): `take(now)` is true when a
 * token was there (and takes it). Starts full.
 */
export class TokenBucket {
  private tokens: number;
  private last: number | undefined;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }

  take(now: number): boolean {
    if (this.last !== undefined) this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export const redisRateLimiter: Workload<RateLimiterOptions> = {
  name: 'redis-rate-limiter',
  parseOptions: (raw) => ({
    ...intOptions(raw, defaults),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const redis = await openRedis(ctx);
    const SMS_QUEUE = rabbit.name('sms');
    const setup = await rabbit.connection.createChannel();
    await setup.assertQueue(SMS_QUEUE, { durable: true });
    await setup.close();

    const messages = producer(ctx, {
      stream: 'sms',
      inlets: { sms: (m) => rabbit.publish('', SMS_QUEUE, m.body, { messageId: m.key, contentType: 'application/json' }) },
    });
    /** What the lab sent: the API refuses a call that does not carry it as it is. */
    const bodies = new Map<string, { to: string; text: string }>();
    const limit = new TokenBucket(o.ratePerSecond, o.burst + o.toleranceCalls);
    /** Messages whose first call the API answers 503. */
    const flaky = new Set<string>();
    /** Calls ("<key>#<attempt>") that arrived over the limit. */
    const refused = new Set<string>();
    const api = await ctx.downstream({
      name: 'sms-api',
      keyField: 'smsId',
      latencyMs: o.apiLatencyMs,
      jitterMs: o.apiJitterMs,
      reject: ({ body, headers }) => {
        const copy = whichCopyProblem(headers, ctx.instances);
        if (copy) return copy;
        const message = bodies.get(String(body.smsId));
        return message && changedFieldsProblem(body, message, ['to', 'text'], "the message's");
      },
      // Decided on arrival (the reply function runs after the latency): a call's place in the
      // limit is when it came, as at a real provider.
      reply: (key, attempt) => {
        if (refused.has(`${key}#${attempt}`)) return { status: 429, body: { error: 'too many requests: over the rate limit' } };
        if (flaky.has(key) && attempt === 1) return { status: 503, body: { error: 'SMS gateway busy, try again' } };
        return { status: 200, body: { delivered: key } };
      },
    });
    api.service.onCall(async (call) => {
      if (!limit.take(call.arrivedAt)) refused.add(`${call.key}#${call.attempt}`);
      return 'continue';
    });

    // The program's keys under KEY_PREFIX, counted now and then: a shared bucket lives there.
    let keysUnderPrefix = 0;
    const stopCounting = every(300, ctx.signal, async () => {
      keysUnderPrefix = Math.max(keysUnderPrefix, (await keysMatching(redis.client, `${redis.namespace}:*`)).length);
    });
    ctx.defer(stopCounting);
    const delivered = () => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.stream === 'sms-api' && op.outcome === 'ok').map((op) => op.key));
    const sent: string[] = [];
    // Progress is what got sent: a program stuck refused (every call a 429 or a 400, sent
    // back and tried again) moves nothing, and its verdict comes after quietMs.
    const progress = () => String(delivered().size);

    return {
      env: {
        AMQP_URL: rabbit.url,
        SMS_QUEUE,
        REDIS_URL: redis.url,
        KEY_PREFIX: `${redis.namespace}:`,
        SMS_API_URL: api.url,
        RATE_PER_SECOND: String(o.ratePerSecond),
        BURST: String(o.burst),
      },
      async awaitReady() {
        await awaitConsumers(ctx, rabbit, { name: 'SMS_QUEUE', physical: SMS_QUEUE, count: ctx.instances, hint: 'Each copy must start consuming SMS_QUEUE right after connecting to AMQP_URL and REDIS_URL.' });
      },
      async run() {
        ctx.progress(`${o.messages} messages at once; the SMS API allows ${o.ratePerSecond}/s with bursts of ${o.burst}; one copy will be killed mid-call`);
        const flakyAt = new Set(Array.from({ length: o.flakyMessages }, (_, i) => Math.floor(((i + 1) * o.messages) / (o.flakyMessages + 1))));
        let count = 0;
        const sendMessages = async (n: number, tags: (i: number) => string[]) => {
          const batch = Array.from({ length: n }, (_, i) => {
            const smsId = messageId('sms', ++count);
            const body = { smsId, to: `+4670${String(1_000_000 + count * 7919).slice(-7)}`, text: `Your code is ${String(100_000 + count * 7351).slice(-6)}` };
            bodies.set(smsId, body);
            const messageTags = tags(i);
            if (messageTags.includes('flaky')) flaky.add(smsId);
            return { smsId, body, messageTags };
          });
          // A few publishes at a time, each confirmed (within the confirm channel's listener
          // limit): the backlog is all there within moments.
          for (let i = 0; i < batch.length; i += 8) {
            await Promise.all(batch.slice(i, i + 8).map(async ({ smsId, body, messageTags }) => {
              if (await messages.send(smsId, body, { tags: messageTags })) sent.push(smsId);
            }));
          }
        };
        const allDelivered = async () => {
          const done = delivered();
          return sent.every((k) => done.has(k)) && ((await rabbit.probeQueue(SMS_QUEUE))?.messageCount ?? 0) === 0;
        };
        const drainCtx = { signal: ctx.signal, timeouts: ctx.timeouts, faultActive: () => ctx.faultActive() };
        // The pace is counted from the first message: the copies start on the backlog while
        // the rest of it is still being queued.
        const backlogAt = ctx.history.now();
        await sendMessages(o.messages, (i) => (flakyAt.has(i) ? ['flaky'] : []));
        const backlogSent = [...sent];
        await drain(drainCtx, { done: allDelivered, progress, quietMs: o.quietMs });
        const backlogDone = delivered();
        recordObservation(ctx.history, 'rate-limit', {
          ratePerSecond: o.ratePerSecond,
          burst: o.burst,
          toleranceCalls: o.toleranceCalls,
          backlogAt,
          backlogEndAt: ctx.history.now(),
          keysUnderPrefix,
        });
        if (o.afterIdleMessages > 0 && backlogSent.every((k) => backlogDone.has(k))) {
          ctx.progress(`${o.idleMs / 1000}s without messages, then ${o.afterIdleMessages} at once`);
          await sleep(o.idleMs, ctx.signal);
          await sendMessages(o.afterIdleMessages, () => ['after-idle']);
          await drain(drainCtx, { done: allDelivered, progress, quietMs: o.quietMs });
        }
      },
      async collect() {
        await rabbit.recordLeftAfterStop('SMS_QUEUE', SMS_QUEUE, sent.length);
      },
    };
  },
};
