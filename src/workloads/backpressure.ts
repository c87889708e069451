/**
 * Week 8, backpressure: a worker sends scanned pages to an OCR service that slows to a crawl
 * for a few seconds while a backlog floods its queue.
 *
 * Warm-up: `warmupPages` pages, the service quick, `flakyPages` of them tagged "flaky": the
 * service answers their first call with 503, so a program that drops a failed page (a nack
 * without requeue) or forgets it (neither ack nor nack: its prefetch slot is held for good)
 * shows it every run. Once they are done the lab samples the
 * program for `baselineMs` (its own memory at rest: the baseline growth is measured from).
 * Flood: phase "flood" starts the service's `schedule` (slow: every call `extraMs` later, for
 * a few seconds) and the lab puts `floodPages` pages of `pageBytes` characters each on
 * PAGE_QUEUE as fast as RabbitMQ takes them. Then it waits until every page went through.
 *
 * All along, every `sampleEveryMs`, the program's resident memory and the queue's
 * unacknowledged / ready / acknowledged counts are recorded (`learner-sample`, see
 * blocks/sample-learner.ts); every call is recorded (`call`, stream "ocr-api"), from its
 * arrival (`arrivedAt`) to its answer, so the calls in flight at any moment are known.
 */
import { parseSchedule, type ScheduleWindow } from '../runner/downstream-schedule.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { awaitConsumers, openRabbit } from './blocks/rabbitmq.js';
import { sampleLearner } from './blocks/sample-learner.js';
import { type Workload, type WorkloadContext, intOptions, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/backpressure.js';

export interface BackpressureOptions {
  warmupPages: number;
  /** Warm-up pages whose first call the OCR service answers with 503 (tag "flaky"). */
  flakyPages: number;
  floodPages: number;
  /** Characters of each page's `content`. */
  pageBytes: number;
  baselineMs: number;
  /** The service's slow spell, from phase "flood" on (runner/downstream-schedule.ts). */
  schedule: ScheduleWindow[];
  apiLatencyMs: number;
  apiJitterMs: number;
  /** Pages the OCR service works on at once; more wait their turn in it (a service has
   *  only so many workers: a slow one holds everything sent to it, it does not go faster). */
  apiCapacity: number;
  /** The README's numbers, given to the program (and to the checks, as "$workload.x"). */
  maxInFlight: number;
  catchUpMs: number;
  /** For the checks: how much the program's memory may grow over its own baseline. */
  maxGrowthMiB: number;
  sampleEveryMs: number;
  quietMs: number;
}

/** A page's content: base64-like text made from its id, `bytes` characters long. */
function pageContent(pageId: string, bytes: number): string {
  const unit = Buffer.from(`${pageId}|scanned page|`).toString('base64');
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

export const backpressure: Workload<BackpressureOptions> = {
  name: 'backpressure',
  parseOptions: (raw) => ({
    ...intOptions(raw, defaults),
    schedule: parseSchedule(raw.schedule),
  }),

  async prepare(ctx: WorkloadContext, o) {
    if (o.flakyPages > o.warmupPages) throw new Error('"flakyPages" must be at most "warmupPages"');
    const rabbit = await openRabbit(ctx);
    const PAGE_QUEUE = rabbit.name('pages');
    const setup = await rabbit.connection.createChannel();
    await setup.assertQueue(PAGE_QUEUE, { durable: true });
    await setup.close();

    // The history records a page's id and size; its content is added only on its way out.
    const pages = producer(ctx, {
      stream: 'pages',
      inlets: {
        pages: (m) => {
          const page = JSON.parse(m.body.toString()) as { pageId?: unknown; bytes?: unknown };
          const full = typeof page.pageId === 'string' && typeof page.bytes === 'number' ? { ...page, content: pageContent(page.pageId, page.bytes) } : page;
          return rabbit.publish('', PAGE_QUEUE, full, { messageId: m.key, persistent: false });
        },
      },
    });
    const sizes = new Map<string, number>();
    const api = await ctx.downstream({
      name: 'ocr-api',
      keyField: 'pageId',
      latencyMs: o.apiLatencyMs,
      jitterMs: o.apiJitterMs,
      okBody: { text: 'ocr/{key}.txt' },
      failures: { flaky: 'first-503' },
      schedule: o.schedule,
      reject: ({ body }) => {
        const bytes = sizes.get(String(body.pageId));
        return bytes === undefined || body.bytes === bytes ? undefined : `"bytes" must be the length of the page's content, ${bytes} (got ${JSON.stringify(body.bytes ?? null)})`;
      },
    });

    // The service's workers: a call takes one on arrival (waiting for a free one if need be)
    // and gives it back after the time the service spends on it (its latency, plus the slow
    // spell's extra time while one is on).
    const extraMs = o.schedule.find((w) => w.mode === 'slow')?.extraMs ?? 0;
    // The slow spell, as the downstream's window events say, heard as they are recorded.
    let slow = false;
    let spellOver = false;
    ctx.onFault((op) => {
      if (op.process !== 'downstream') return;
      slow = op.value.phase === 'start';
      if (op.value.phase === 'heal') spellOver = true;
    });
    const inSpell = () => slow;
    let busy = 0;
    const waitingForWorker: Array<() => void> = [];
    api.service.onCall(async () => {
      if (busy >= o.apiCapacity) await new Promise<void>((resolve) => waitingForWorker.push(resolve));
      else busy += 1;
      setTimeout(() => {
        const next = waitingForWorker.shift();
        if (next) next();
        else busy -= 1;
      }, o.apiLatencyMs + o.apiJitterMs / 2 + (inSpell() ? extraMs : 0));
      return 'continue';
    });

    const sent: string[] = [];
    const finished = new Set<string>();
    let seen = 0;
    const done = () => {
      const history = ctx.history.history;
      for (; seen < history.length; seen += 1) {
        const op = history[seen];
        if (op && op.kind === 'call' && op.stream === 'ocr-api' && op.outcome === 'ok' && op.key) finished.add(op.key);
      }
      return finished;
    };
    const allDone = async () => sent.every((k) => done().has(k)) && ((await rabbit.probeQueue(PAGE_QUEUE))?.messageCount ?? 0) === 0;
    const progress = () => String(done().size);
    let count = 0;
    const send = async (tags: string[]) => {
      const pageId = messageId('page', ++count);
      sizes.set(pageId, o.pageBytes);
      if (await pages.send(pageId, { pageId, bytes: o.pageBytes }, { tags })) sent.push(pageId);
    };
    const drainCtx = { signal: ctx.signal, timeouts: ctx.timeouts, faultActive: () => false };

    return {
      env: {
        AMQP_URL: rabbit.url,
        PAGE_QUEUE,
        OCR_API_URL: api.url,
        MAX_IN_FLIGHT: String(o.maxInFlight),
      },
      async awaitReady() {
        await awaitConsumers(ctx, rabbit, { name: 'PAGE_QUEUE', physical: PAGE_QUEUE, count: ctx.instances, hint: 'Your program must start consuming PAGE_QUEUE right after connecting to AMQP_URL.' });
      },
      async run() {
        const stopSampling = sampleLearner(ctx, { everyMs: o.sampleEveryMs, rabbit: { run: rabbit, queue: PAGE_QUEUE } });
        ctx.progress(`${o.warmupPages} pages while the OCR service is quick, ${o.flakyPages} of them refused once (503)`);
        // The flaky pages spread over the warm-up, none of them first.
        const flakyAt = new Set(Array.from({ length: o.flakyPages }, (_, i) => Math.floor(((i + 1) * o.warmupPages) / (o.flakyPages + 1))));
        for (let i = 0; i < o.warmupPages; i += 1) await send(flakyAt.has(i) ? ['warmup', 'flaky'] : ['warmup']);
        await drain(drainCtx, { done: allDone, progress, quietMs: o.quietMs });
        await sleep(o.baselineMs, ctx.signal); // the program at rest: its baseline memory
        ctx.progress(`the OCR service slows down; ${o.floodPages} pages of ${Math.round(o.pageBytes / 1024)} KiB flood the queue`);
        await ctx.phase('flood');
        // Published 50 at a time, each confirmed: the backlog is all in the queue within a second or two.
        for (let i = 0; i < o.floodPages; i += 50) {
          await Promise.all(Array.from({ length: Math.min(50, o.floodPages - i) }, () => send(['flood'])));
        }
        await waitUntil(() => spellOver, ctx.timeouts.drainMs, ctx.signal, 50);
        ctx.progress('the OCR service is quick again: the backlog must go through');
        // Past the catch-up time the verdict is known: no need to wait for a slow program longer.
        await drain(drainCtx, { done: allDone, progress, quietMs: o.quietMs, timeoutMs: o.catchUpMs + 2_000 });
        await stopSampling();
      },
      async collect() {
        await rabbit.recordLeftAfterStop('PAGE_QUEUE', PAGE_QUEUE, sent.length);
      },
    };
  },
};
