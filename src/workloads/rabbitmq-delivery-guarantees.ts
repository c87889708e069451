/**
 * Week 2, delivery guarantees: an at-most-once and an at-least-once consumer, side by side.
 *
 * One program runs as two copies with roles (scenario `learner.roles`): copy 1 gets
 * ROLE=at-most-once and consumes AT_MOST_ONCE_QUEUE, copy 2 gets ROLE=at-least-once and
 * consumes AT_LEAST_ONCE_QUEUE. For each message a copy writes a ledger entry with one call
 * to the lab's ledger API (`POST /entries`, x-instance-id: INSTANCE_ID). The lab declares
 * both queues (durable, classic) before the program starts.
 *
 * Messages are recorded as `produce` operations on the stream named after their queue's
 * guarantee ("at-most-once", "at-least-once") and tagged with it; flaky ones also carry the
 * tag "flaky" (the ledger answers their first call with 503).
 *
 * Two phases keep the verdict deterministic (see the scenario's faults):
 * 1. `phase1Entries` plain entries on each queue (and `whileDownEntries` more at-most-once
 *    ones the moment its copy is killed, while it is down). One kill-learner fault SIGKILLs the
 *    at-most-once copy in the middle of one of its calls; another holds one call of the
 *    at-least-once copy until that copy finished a later entry, then SIGKILLs it. Both are
 *    restarted. An at-most-once copy that acked after the work gets the entry back and
 *    writes it twice; an at-least-once copy that acked before the work (or with
 *    `multiple`) never sees it again.
 * 2. Once both copies consume again: `phase2Entries` per queue, `flakyEntries` of them flaky,
 *    no fault. An at-most-once copy that retries a failed entry calls twice; an at-least-once
 *    copy that acks a failed entry loses it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { recordObservation } from '../runner/observations.js';
import { changedFieldsProblem, whichCopyProblem } from '../runner/downstream.js';
import { drain } from './blocks/drain.js';
import { type Producer, producer } from './blocks/produce.js';
import { openRabbit } from './blocks/rabbitmq.js';
import { type Workload, type WorkloadContext, intOption, intOptions, LearnerNotReadyError, messageId, waitUntil } from './types.js';
import { defaults } from './options/rabbitmq-delivery-guarantees.js';

export interface DeliveryGuaranteesOptions {
  /** Entries per queue before and during the kills. */
  phase1Entries: number;
  /** At-most-once entries the lab publishes the moment the at-most-once copy is killed, while
   *  it is down: the restarted copy must write them (a purge or skip at start-up loses them,
   *  every run, whatever the copy had already taken). */
  whileDownEntries: number;
  /** Entries per queue after both copies are back, flaky ones included. */
  phase2Entries: number;
  /** Of the phase-2 entries, per queue, those whose first call the ledger answers with 503. */
  flakyEntries: number;
  apiLatencyMs: number;
  /** Up to this much more per call, from the run's seed: concurrent calls finish out of order. */
  apiJitterMs: number;
  /** A drain ends once nothing moved for this long while both copies were consuming (lost
   *  entries never will be written, and a wrong solution gets its verdict in seconds). */
  quietMs: number;
  /** The run ends once no call came for this long (after the last drain): a late second
   *  attempt of a refused entry (a requeue, a retry) shows before it. */
  settleMs: number;
}

export type Guarantee = 'at-most-once' | 'at-least-once';
export const GUARANTEES: readonly Guarantee[] = ['at-most-once', 'at-least-once'];

export const rabbitmqDeliveryGuarantees: Workload<DeliveryGuaranteesOptions> = {
  name: 'rabbitmq-delivery-guarantees',
  parseOptions: (raw) => {
    const o = {
      phase1Entries: intOption(raw, 'phase1Entries', 16),
      ...intOptions(raw, defaults),
      phase2Entries: intOption(raw, 'phase2Entries', 12),
    };
    if (o.flakyEntries > o.phase2Entries) throw new Error('"flakyEntries" must be at most "phase2Entries"');
    return o;
  },

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const queues: Record<Guarantee, string> = {
      'at-most-once': rabbit.name('ledger.at-most-once'),
      'at-least-once': rabbit.name('ledger.at-least-once'),
    };
    const setup = await rabbit.connection.createChannel();
    for (const queue of Object.values(queues)) await setup.assertQueue(queue, { durable: true });
    await setup.close();

    /** What the lab published for each entry, and on which queue: the ledger refuses a call
     *  that does not carry it as it is (400, with the reason), as a real ledger would. */
    const published = new Map<string, { guarantee: Guarantee; account: string; amountCents: number }>();
    // One producer per queue: its stream is the guarantee, and its inlet (named after the
    // guarantee) lets `duplicate` and `poison` faults send into that queue.
    const producers = Object.fromEntries(
      GUARANTEES.map((g) => [g, producer(ctx, { stream: g, inlets: { [g]: (m) => rabbit.publish('', queues[g], m.body, { messageId: m.key, contentType: 'application/json' }) } })]),
    ) as Record<Guarantee, Producer>;
    /** Publishes not confirmed yet: a message may be in its queue before the lab records it. */
    const publishing = () => producers['at-most-once'].inFlight() + producers['at-least-once'].inFlight();
    const ledgerApi = await ctx.downstream({
      name: 'ledger-api',
      keyField: 'entryId',
      latencyMs: o.apiLatencyMs,
      jitterMs: o.apiJitterMs,
      failures: { flaky: 'first-503' },
      okBody: { entry: 'ledger/{key}' },
      reject: ({ body, headers }) => {
        // Which copy wrote is what the guarantees are judged by, so a call must say it.
        const copy = whichCopyProblem(headers, ctx.instances);
        if (copy) return copy;
        const type = String(headers['content-type'] ?? '');
        if (!type.startsWith('application/json')) return `content-type is ${JSON.stringify(type || null)}, not application/json`;
        const entry = published.get(String(body.entryId));
        if (!entry) return undefined; // an unknown entry: recorded as such, not refused
        if (body.mode !== entry.guarantee) return `"mode" is ${JSON.stringify(body.mode ?? null)}, but ${String(body.entryId)} came from the ${entry.guarantee} queue: send "mode": ROLE`;
        const changed = changedFieldsProblem(body, entry, ['account', 'amountCents'], 'its');
        return changed && `the entry is not as published: ${changed}`;
      },
    });

    const amounts = ctx.random('entries');
    const sent: Record<Guarantee, Array<{ key: string; phase: number }>> = { 'at-most-once': [], 'at-least-once': [] };
    const counters: Record<Guarantee, number> = { 'at-most-once': 0, 'at-least-once': 0 };
    const publish = async (guarantee: Guarantee, phase: number, flaky: boolean): Promise<void> => {
      const entryId = messageId(guarantee === 'at-most-once' ? 'amo' : 'alo', ++counters[guarantee]);
      const body = { entryId, account: `ACC-${String(amounts.int(1, 40)).padStart(2, '0')}`, amountCents: amounts.int(100, 99_999) };
      const tags = [guarantee, ...(flaky ? ['flaky'] : [])];
      published.set(entryId, { guarantee, account: body.account, amountCents: body.amountCents });
      if (await producers[guarantee].send(entryId, body, { tags, record: { phase } })) sent[guarantee].push({ key: entryId, phase });
    };

    /** A few publishes at a time, each waiting for its confirm: faster than one by one, and
     *  within the confirm channel's listener limit. */
    const publishAll = async (tasks: Array<() => Promise<void>>): Promise<void> => {
      for (let i = 0; i < tasks.length; i += 8) await Promise.all(tasks.slice(i, i + 8).map((task) => task()));
    };

    /** Each SIGKILL of a copy (by the fault's id), and when that copy was started again (as
     *  checks/attempts.ts' kills() pairs them). */
    const killsSoFar: Array<{ id: number; t: number; healedAt?: number }> = [];
    let publishedWhileDown = false;
    /** The at-most-once copy's restart waits for this (the scenario's `restartWhen`): were it
     *  back before the while-down entries are queued, a purge at start-up would find nothing
     *  to throw away, and pass. */
    let whileDownQueued = false;
    ctx.onFault((op) => {
      const v = op.value;
      if (v.phase === 'heal') {
        for (const k of killsSoFar) if (k.id === v.id && k.healedAt === undefined) k.healedAt = op.t;
        return;
      }
      if (v.phase !== 'start' || v.signal !== 'SIGKILL') return;
      killsSoFar.push({ id: v.id, t: op.t });
      // The moment a copy is killed, what was still waiting in each queue: the killed copy
      // did not hold those, so an at-most-once program may not lose them (at-most-once's
      // "discarded").
      if (v.fault !== 'kill-learner') return;
      // The look at each queue comes first, so the publishes it excuses (`publishing`) are
      // the ones in flight at the kill, never the while-down entries below.
      const inFlight = publishing();
      const looks = GUARANTEES.map((g) =>
        rabbit
          .probeQueue(queues[g])
          .then((state) => {
            if (!state) return;
            recordObservation(ctx.history, 'amqp-ready-at-kill', { name: g === 'at-most-once' ? 'AT_MOST_ONCE_QUEUE' : 'AT_LEAST_ONCE_QUEUE', killAt: op.t, at: ctx.history.now(), ready: state.messageCount, publishing: Math.max(inFlight, publishing()) });
          })
          .catch(() => {}),
      );
      // Copy 1 plays at-most-once: its first kill is the moment to queue entries it never held.
      // Only once RabbitMQ has let go of the dead consumer: an entry pushed to it in the
      // moments after the kill would be lost legitimately, and no purge could then show.
      if (v.instance === 1 && !publishedWhileDown) {
        publishedWhileDown = true;
        void Promise.all(looks)
          .then(() => consumerGone(queues['at-most-once']))
          .then(() => publishAll(Array.from({ length: o.whileDownEntries }, () => () => publish('at-most-once', 1, false))))
          .finally(() => (whileDownQueued = true));
      }
    });
    ctx.registerProbe('while-down-queued', async () => whileDownQueued);

    /** Waits (up to 2 s) until the queue has no consumer: the killed copy's is gone. */
    const consumerGone = async (queue: string): Promise<void> => {
      for (let waited = 0; waited < 2_000; waited += 10) {
        const state = await rabbit.probeQueue(queue);
        if (!state || state.consumerCount === 0) return;
        await sleep(10);
      }
    };

    const calls = () => ctx.history.history.filter((op) => op.kind === 'call' && op.stream === 'ledger-api');
    const written = () => new Set(calls().filter((op) => op.outcome === 'ok').map((op) => op.key));
    const attempted = () => new Set(calls().map((op) => op.key));
    /** When each killed copy was started again (the kill itself, before that): a message sent
     *  until then may have gone down with the killed copy. */
    const killedAt = () => killsSoFar.map((k) => k.healedAt ?? k.t);
    const sentAt = (key: string) => ctx.history.produced(key)?.t ?? 0;

    /** Consumers on each queue now (a passive declare answers at once). */
    const consumers = async (): Promise<Record<Guarantee, number>> => ({
      'at-most-once': (await rabbit.probeQueue(queues['at-most-once']))?.consumerCount ?? 0,
      'at-least-once': (await rabbit.probeQueue(queues['at-least-once']))?.consumerCount ?? 0,
    });
    const total = (c: Record<Guarantee, number>) => c['at-most-once'] + c['at-least-once'];
    /**
     * Ready: each queue has a consumer, or the copies' consumers add up to the number of
     * copies (both copies on one queue: the checks say so, with evidence, instead of a
     * "not ready" that would hide what the program did).
     */
    const isReady = (c: Record<Guarantee, number>) => (c['at-most-once'] > 0 && c['at-least-once'] > 0) || total(c) >= ctx.instances;
    /** The consumers counted once the program was ready: fewer means a copy is down. */
    let baseline = 0;
    /** Set by `progress` (the drain asks it every tick): a killed and restarted copy has not
     *  consumed again yet. A copy that exited on its own is not waited for. */
    let copyDown = false;
    const drainCtx = { signal: ctx.signal, timeouts: ctx.timeouts, faultActive: () => ctx.faultActive() || copyDown };

    /** What moves while entries are processed; the drain is quiet while it stands still. */
    const progress = async (): Promise<string> => {
      const c = await consumers();
      copyDown = total(c) < baseline && ctx.learners.processes.every((p) => p.running);
      const ready = await Promise.all(GUARANTEES.map(async (g) => (await rabbit.probeQueue(queues[g]))?.messageCount ?? 0));
      return `${calls().length}|${ready.join('/')}|${total(c)}`;
    };
    /**
     * Settled: every at-least-once entry sent so far was written; every at-most-once entry of
     * `phase` (or later) was attempted or sent before a killed copy was started again (it may
     * have taken it: at-most-once may lose it), and the at-most-once queue has nothing left.
     */
    const settled = (phase: number) => async (): Promise<boolean> => {
      const ok = written();
      if (!sent['at-least-once'].every((e) => ok.has(e.key))) return false;
      const tried = attempted();
      const restarts = killedAt();
      const open = sent['at-most-once'].filter((e) => e.phase >= phase && !tried.has(e.key) && !restarts.some((k) => k >= sentAt(e.key)));
      if (open.length > 0) return false;
      const amo = await rabbit.probeQueue(queues['at-most-once']);
      return (amo?.messageCount ?? 0) === 0 && (amo?.consumerCount ?? 0) > 0;
    };

    return {
      env: {
        AMQP_URL: rabbit.url,
        AT_MOST_ONCE_QUEUE: queues['at-most-once'],
        AT_LEAST_ONCE_QUEUE: queues['at-least-once'],
        LEDGER_API_URL: ledgerApi.url,
      },
      async awaitReady() {
        let last: Record<Guarantee, number> = { 'at-most-once': 0, 'at-least-once': 0 };
        const ready = await waitUntil(
          async () => {
            last = await consumers();
            return isReady(last);
          },
          ctx.timeouts.readyMs,
          ctx.signal,
          100,
        );
        if (!ready) {
          const idle = GUARANTEES.filter((g) => last[g] === 0).map((g) => `"${queues[g]}" (${g === 'at-most-once' ? 'AT_MOST_ONCE_QUEUE' : 'AT_LEAST_ONCE_QUEUE'})`);
          throw new LearnerNotReadyError(
            `nobody consumed from ${idle.join(' or ')} within ${ctx.timeouts.readyMs / 1000}s`,
            'Each copy must start consuming its own queue right after connecting to AMQP_URL: ROLE=at-most-once consumes AT_MOST_ONCE_QUEUE, ROLE=at-least-once consumes AT_LEAST_ONCE_QUEUE.',
          );
        }
        baseline = total(last);
      },
      async run() {
        ctx.progress(`phase 1: ${o.phase1Entries} entries on each queue; each copy will be killed mid-write and restarted`);
        await publishAll(Array.from({ length: o.phase1Entries }, () => GUARANTEES.map((g) => () => publish(g, 1, false))).flat());
        await drain(drainCtx, { done: settled(1), progress, quietMs: o.quietMs });
        await ctx.faultsSettled();
        // The restarted copies consume again before phase 2 (bounded; not waited for when a copy
        // exited on its own: its entries stay unwritten, and the checks say so).
        const allRunning = () => ctx.learners.processes.every((p) => p.running);
        await waitUntil(async () => !allRunning() || total(await consumers()) >= baseline, ctx.timeouts.readyMs, ctx.signal, 100);

        ctx.progress(`phase 2: ${o.phase2Entries} entries on each queue, ${o.flakyEntries} of them refused once by the ledger (503)`);
        // Flaky entries spread evenly through the plain ones.
        const flakyAt = new Set(Array.from({ length: o.flakyEntries }, (_, i) => Math.floor(((i + 1) * o.phase2Entries) / (o.flakyEntries + 1))));
        await publishAll(Array.from({ length: o.phase2Entries }, (_, i) => GUARANTEES.map((g) => () => publish(g, 2, flakyAt.has(i)))).flat());
        await drain(drainCtx, { done: settled(2), progress, quietMs: o.quietMs });
        await ctx.faultsSettled();
        // A second attempt of a refused entry (a requeue, a retry) comes within milliseconds:
        // the run ends only once no call has come for settleMs (bounded by the drain).
        const lastCall = () => calls().reduce((t, op) => Math.max(t, op.t), 0);
        await waitUntil(() => ctx.history.now() - lastCall() >= o.settleMs, ctx.timeouts.drainMs, ctx.signal, 50);
      },
      async collect() {
        // An at-least-once copy acks each entry once written: none may be back in its queue.
        await rabbit.recordLeftAfterStop('AT_LEAST_ONCE_QUEUE', queues['at-least-once'], sent['at-least-once'].length);
      },
    };
  },
};
