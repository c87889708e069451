/**
 * Week 7, SQS: visibility timeout, long polling, redrive to a dead-letter queue, batch delete.
 *
 * The lab creates INVOICE_QUEUE with a short default visibility timeout
 * (`queueVisibilitySeconds`) and a RedrivePolicy to INVOICE_DLQ after `maxReceiveCount`
 * receives. Two copies of the learner's worker long-poll it and call the lab's billing API
 * (BILLING_API_URL) for each invoice job, deleting a job only after its call returned 200.
 *
 * Two phases, each opening the window one mistake needs, every run:
 * 1. Regular, transient (the first call answers 503) and poison (every call answers 500)
 *    jobs. A worker that deletes before the call loses the transient ones and never lets
 *    a poison job reach the DLQ; one that deletes a failed job drops it; a worker that
 *    gives failed jobs back lets SQS count receives and redrive poison after
 *    `maxReceiveCount` of them.
 * 2. One slow job, while both copies are idle: the billing API takes `slowExtraMs` more
 *    for its first call (a downstream `slow` window opened by the phase, one call long). The
 *    queue's default visibility timeout is shorter than that, so a worker that does not ask
 *    for a longer one on ReceiveMessage sees the job come back mid-work: the idle copy
 *    takes it and bills it a second time, while the first call is still running.
 */
import { whichCopyProblem } from '../runner/downstream.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { openSqs } from './blocks/sqs.js';
import { type Workload, type WorkloadContext, intOptions, LearnerNotReadyError, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/sqs-visibility-dlq.js';

export interface SqsVisibilityOptions {
  regularJobs: number;
  /** Jobs whose first billing call answers 503 (busy): a second attempt succeeds. */
  transientJobs: number;
  /** Jobs every billing call refuses with 500: they must reach the DLQ by redrive. */
  poisonJobs: number;
  /** The RedrivePolicy's maxReceiveCount: a job received this often moves to the DLQ. */
  maxReceiveCount: number;
  /** The queue's own VisibilityTimeout attribute: shorter than a slow job on purpose. */
  queueVisibilitySeconds: number;
  slowExtraMs: number;
  apiLatencyMs: number;
  /** Up to this much more per call, from the run's seed. */
  apiJitterMs: number;
  /** A drain ends once nothing new was billed or dead-lettered for this long. */
  quietMs: number;
}

type JobKind = 'regular' | 'transient' | 'poison' | 'slow';

export const sqsVisibilityDlq: Workload<SqsVisibilityOptions> = {
  name: 'sqs-visibility-dlq',
  parseOptions: (raw) => ({ ...intOptions(raw, defaults) }),

  async prepare(ctx: WorkloadContext, o) {
    const sqs = await openSqs(ctx);
    const dlqUrl = await sqs.createQueue('invoices-dlq');
    const queueUrl = await sqs.createQueue('invoices', {
      VisibilityTimeout: String(o.queueVisibilitySeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await sqs.arnOf(dlqUrl), maxReceiveCount: o.maxReceiveCount }),
    });
    const { SendMessageCommand } = sqs.sdk;
    // The way jobs go in, also for `duplicate` and `poison` faults.
    const jobs = producer(ctx, {
      stream: 'jobs',
      inlets: {
        jobs: async (m) => {
          await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: m.body.toString('utf8') }));
        },
      },
    });
    const billingApi = await ctx.downstream({
      name: 'billing-api',
      keyField: 'invoiceId',
      latencyMs: o.apiLatencyMs,
      jitterMs: o.apiJitterMs,
      failures: { poison: 'always-500', transient: 'first-503' },
      okBody: { charge: 'charge-{key}' },
      reject: ({ headers }) => whichCopyProblem(headers, ctx.instances),
      schedule: [{ name: 'slow invoices', mode: 'slow', extraMs: o.slowExtraMs, status: 500, maxHoldMs: 0, from: { phase: 'slow' }, until: { calls: 1 } }],
    });

    const kinds = new Map<string, JobKind>();
    let count = 0;
    const publish = async (kind: JobKind, phase: number): Promise<string> => {
      const invoiceId = messageId('invoice', ++count);
      kinds.set(invoiceId, kind);
      const body = { invoiceId, customer: `customer-${(count % 7) + 1}`, amountCents: 1_000 + count * 25 };
      await jobs.send(invoiceId, body, { tags: kind === 'regular' ? [] : [kind], record: { phase } });
      return invoiceId;
    };
    const billed = () => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.outcome === 'ok').map((op) => op.key));
    const allBilled = () => {
      const ok = billed();
      return [...kinds].every(([key, kind]) => kind === 'poison' || ok.has(key));
    };
    const deadLettered = async () => (await sqs.counts(dlqUrl)).visible;
    const progress = async () => `${billed().size}/${await deadLettered()}`;
    const calls = () => ctx.history.history.filter((op) => op.kind === 'call').length;

    return {
      env: {
        ...sqs.env,
        INVOICE_QUEUE_URL: queueUrl,
        INVOICE_DLQ_URL: dlqUrl,
        BILLING_API_URL: billingApi.url,
        MAX_RECEIVE_COUNT: String(o.maxReceiveCount),
      },
      async awaitReady() {
        // SQS cannot say who polls a queue: the first job billed says the worker is there.
        ctx.progress('waiting for your worker to bill a first invoice');
        await publish('regular', 0);
        if (!(await waitUntil(() => calls() > 0, ctx.timeouts.readyMs, ctx.signal, 50))) {
          const { visible } = await sqs.counts(queueUrl);
          throw new LearnerNotReadyError(
            visible > 0
              ? `nobody received the first job from INVOICE_QUEUE_URL within ${ctx.timeouts.readyMs / 1000}s`
              : `a job was received from INVOICE_QUEUE_URL but the billing API got no call for it within ${ctx.timeouts.readyMs / 1000}s`,
            'Receive from INVOICE_QUEUE_URL (long polling: WaitTimeSeconds) right after starting, and POST each job to BILLING_API_URL.',
          );
        }
      },
      async run() {
        ctx.progress(`phase 1: ${o.regularJobs} invoices, ${o.transientJobs} the billing API is too busy for once, ${o.poisonJobs} it always refuses`);
        const mix: JobKind[] = Array(o.regularJobs).fill('regular');
        const special: JobKind[] = [...Array(o.transientJobs).fill('transient'), ...Array(o.poisonJobs).fill('poison')];
        // Spread the failing jobs evenly through the regular ones.
        special.forEach((kind, i) => mix.splice(Math.floor(((i + 1) * mix.length) / (special.length + 1)) + i, 0, kind));
        for (const kind of mix) await publish(kind, 1);
        const phase1Done = async () => allBilled() && (await deadLettered()) >= o.poisonJobs;
        await drain(ctx, { done: phase1Done, progress, quietMs: o.quietMs });

        // Phase 2: one slow job, while the other copy has nothing to do and polls.
        ctx.progress(`phase 2: an invoice the billing API takes ${((o.slowExtraMs + o.apiLatencyMs) / 1000).toFixed(1)}s for (the queue's visibility timeout is ${o.queueVisibilitySeconds}s)`);
        await ctx.phase('slow');
        const slow = await publish('slow', 2);
        // Until its first (slow) call was answered: a second worker may have billed it before.
        const firstAnswered = () => ctx.history.history.some((op) => op.kind === 'call' && op.key === slow && op.attempt === 1);
        await waitUntil(firstAnswered, o.slowExtraMs + o.apiLatencyMs + o.apiJitterMs + o.quietMs, ctx.signal, 50);
        // A second worker's call, made while the first was still on the job, is answered at
        // the usual speed (the slow window holds one call): it is in the history by now.
        await sleep(300, ctx.signal);
        await drain(ctx, { done: async () => allBilled(), progress, quietMs: 500 });
      },
      async collect() {
        for (const message of await sqs.takeAll(dlqUrl)) {
          let body: Record<string, unknown> | null = null;
          try {
            body = JSON.parse(message.Body ?? '') as Record<string, unknown>;
          } catch {
            // a body that is not JSON has no invoice id; recorded without a key
          }
          const invoiceId = typeof body?.invoiceId === 'string' ? body.invoiceId : undefined;
          const receives = message.Attributes?.ApproximateReceiveCount;
          ctx.history.record({
            process: 'lab',
            kind: 'dead-letter',
            outcome: 'ok',
            stream: 'dead-letter',
            ...(invoiceId ? { key: invoiceId } : {}),
            // SQS's redrive says why by where the job is: received maxReceiveCount times, never deleted.
            value: { reason: `in INVOICE_DLQ_URL${receives ? ` (received ${receives} times there and before)` : ''}`, body, messageId: message.MessageId ?? null },
          });
        }
      },
    };
  },
};
