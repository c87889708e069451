/**
 * Weeks 4-5, Kafka consumer group.
 *
 * Several copies of the learner's program consume PAYMENTS_TOPIC in the consumer group
 * GROUP_ID and, for each payment, call the lab's ledger API (LEDGER_API_URL) once it is
 * processed. The scenario's kill-learner fault holds one booking open, SIGKILLs the copy
 * that made it and does not restart it: the group must rebalance and the survivors must
 * pick up its partitions from its last committed offsets. Nothing may be lost, and offsets
 * must be committed only after processing.
 *
 * The hold waits for the mistake to show before the kill: the probe "committed-past" (the
 * group's committed offset already past the held payment: a commit on a timer, before the
 * work, or offset+1 of a payment booked after it), or the payment booked by another copy
 * (its partition moved on), or the hold's bound, longer than librdkafka's 5 s auto-commit
 * interval so a timer commit always lands inside it. The victim is the first payment of its
 * partition's share of a burst, with more after it and nothing earlier of its partition in
 * flight (probe "first-of-batch"), so a program that books a fetched batch in parallel has
 * later ones in flight beside it, and all of them commit past it at once.
 *
 * The lab samples the group (members, assigned partitions) every 500 ms, and reads the
 * committed offsets at the end.
 */
import { type KafkaGroupSample, recordObservation } from '../runner/observations.js';
import { drain } from './blocks/drain.js';
import { openKafka } from './blocks/kafka.js';
import { type Workload, type WorkloadContext, every, intOptions, LearnerNotReadyError, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/kafka-consumer-group.js';
import { produceValue } from '../runner/messages.js';

export interface ConsumerGroupOptions {
  partitions: number;
  payments: number;
  customers: number;
  apiLatencyMs: number;
  /** Up to this much more per booking, from the run's seed: payments booked side by side
   *  finish out of order. */
  apiJitterMs: number;
  /** Produce this many in one request, then pause `pauseMs`, so the kill lands mid-stream. */
  batch: number;
  pauseMs: number;
  /** Payments already on the topic when the program starts: a consumer that starts at the
   *  end of the topic (auto.offset.reset=latest, fromBeginning: false) never sees them. */
  prefill: number;
  /** Every n-th payment's first booking fails with 503 (the ledger is busy): it must be
   *  booked again, not committed as done. 0: none. */
  flakyEvery: number;
  /** No payment from this one on is flaky: a 503 in the batch the kill holds open would make
   *  a program that books a batch in parallel (Promise.all) give the whole batch up at once,
   *  and whether it lost the held payment would then depend on timing, not on its mistake. */
  flakyBefore: number;
  /** The drain ends early once nothing new was processed for this long: lost payments never
   *  will be. Longer than the exercise's session timeout (2 s), so the wait for the killed
   *  copy's partitions to move to a live copy is never mistaken for the end. */
  quietMs: number;
}

/** How long after a call its probe looks for earlier calls sent beside it. */
const EARLIER_CALLS_ARRIVE_MS = 20;

export const kafkaConsumerGroup: Workload<ConsumerGroupOptions> = {
  name: 'kafka-consumer-group',
  parseOptions: (raw) => ({
    ...intOptions(raw, defaults),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const kafka = await openKafka(ctx);
    const topic = await kafka.createTopic('payments', o.partitions);
    kafka.registerInlet('payments', topic, 'payments');
    const groupId = kafka.name('payments-processor');

    const ledger = await ctx.downstream({ name: 'ledger-api', keyField: 'paymentId', latencyMs: o.apiLatencyMs, jitterMs: o.apiJitterMs, okBody: { booked: '{key}' }, failures: { flaky: 'first-503' } });

    // A copy's bookings of one partition finish in offset order, but for one a fault holds
    // open: a program that books a fetched batch side by side and commits each payment as it
    // finishes then ends with the commit of the batch's last payment, past the held one, every
    // run (in random order an earlier payment finishing last would move the offset back).
    const inFlight = new Map<string, { instance: number; partition: number; offset: number; key: string }>();
    const positionOf = (key: string) => {
      const record = ctx.history.produced(key);
      return record?.partition === undefined || record.offset === undefined ? undefined : { partition: record.partition, offset: Number(record.offset) };
    };
    // Payments whose call a fault holds (or held) open: never waited for.
    const heldKeys = new Set<string>();
    ctx.onFault((op) => {
      if (op.value.phase === 'hold' && op.key !== undefined) heldKeys.add(op.key);
    });
    const held = (key: string) => heldKeys.has(key);
    ledger.service.onCall(async (call) => {
      const at = positionOf(call.key);
      const id = `${call.key}#${call.attempt}`;
      if (!at) return 'continue';
      inFlight.set(id, { instance: call.instance, ...at, key: call.key });
      const before = () => [...inFlight.entries()].some(([other, c]) => other !== id && c.instance === call.instance && c.partition === at.partition && c.offset < at.offset && !held(c.key));
      if (!before()) return 'continue';
      while (before() && !ctx.signal.aborted) await sleep(5);
      // The earlier booking's commit reaches Kafka first (this call still has its latency to
      // run). Kept short: a copy that books a long batch side by side waits this once per
      // payment, and a slow batch is a lagging consumer.
      await sleep(10);
      return 'continue';
    });
    const forget = ctx.history.subscribe((op) => {
      if (op.kind === 'call' && op.stream === 'ledger-api' && op.key !== undefined) inFlight.delete(`${op.key}#${op.attempt}`);
    });
    ctx.defer(forget);

    let sent = 0;
    const burstOf = (count: number) =>
      Array.from({ length: count }, () => {
        const i = ++sent;
        const payment = { paymentId: messageId('payment', i), customer: `customer-${(i * 17) % o.customers}`, amountCents: ((i * 37) % 9000) + 100 };
        const flaky = o.flakyEvery > 0 && i % o.flakyEvery === 0 && i < o.flakyBefore;
        return { id: payment.paymentId, key: payment.customer, value: payment, tags: flaky ? ['flaky'] : [] };
      });
    // Already on the topic before the program starts.
    for (let left = o.prefill; left > 0; left -= o.batch) await kafka.produceBurst(topic, 'payments', burstOf(Math.min(o.batch, left)));

    // Where a fault's victim should be: a payment followed by more of its partition in the
    // same fetched batch, so work on a later one can overtake it.
    ctx.registerProbe('followed-in-batch', async (key) => {
      const { inBatch } = produceValue(ctx.history.produced(key));
      return inBatch !== undefined && inBatch.position < inBatch.of - 1;
    });
    // The first of its partition's share of a burst, with more after it: a program that books
    // a batch side by side and commits each payment as it finishes then always ends with a
    // commit past it, whatever order the others finish in (had an earlier payment of the batch
    // finished last, its commit would move the offset back before the held one).
    // And nothing earlier of its partition still in flight: a copy that fetched from further
    // back (it lags, or reads a failed batch again) books the earlier ones first, one after
    // the other, and a later commit would pass the held payment only seconds later, after the
    // copy's session ran out and the partition moved on (the held payment read again by
    // another copy, nothing lost: the mistake hidden). Asked a moment after the call came, so
    // earlier calls sent beside it have arrived.
    ctx.registerProbe('first-of-batch', async (key) => {
      const { inBatch } = produceValue(ctx.history.produced(key));
      if (inBatch === undefined || inBatch.position !== 0 || inBatch.of <= 1) return false;
      await sleep(EARLIER_CALLS_ARRIVE_MS);
      const at = positionOf(key);
      return at !== undefined && ![...inFlight.values()].some((c) => c.key !== key && c.partition === at.partition && c.offset < at.offset);
    });
    // Evidence for a fault holding a booking open: the group already committed past that
    // payment (a commit on a timer, before the work, or an offset+1 of later work).
    ctx.registerProbe('committed-past', (key) => kafka.committedPast(groupId, topic, key));

    let lastSample = '';
    const recordGroup = async (): Promise<KafkaGroupSample> => {
      const sample = await kafka.sampleGroup(groupId, topic, ctx.instances);
      const fingerprint = JSON.stringify([sample.state, sample.members.map((m) => [m.clientId, m.partitions]), sample.otherGroups]);
      if (fingerprint !== lastSample) {
        lastSample = fingerprint;
        recordObservation(ctx.history, 'kafka-group', sample);
      }
      return sample;
    };
    const allCommitted = async () => {
      const { offsets, endOffsets } = await kafka.committedOffsets(groupId, topic);
      return Object.entries(endOffsets).every(([p, end]) => (offsets[p] ?? -1) >= end);
    };
    const processed = () => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.outcome === 'ok').map((op) => op.key)).size;

    return {
      env: { ...kafka.env(), PAYMENTS_TOPIC: topic, GROUP_ID: groupId, LEDGER_API_URL: ledger.url },
      async awaitReady() {
        // Ready when the group has every instance, or when the instances joined groups of
        // their own (graded by group-shares-partitions rather than refused here).
        const joined = async () => {
          const sample = await recordGroup();
          if (sample.state === 'Stable' && sample.members.length >= ctx.instances) return true;
          const others = await Promise.all(sample.otherGroups.map((g) => kafka.admin.describeGroups([kafka.name(g)])));
          const otherMembers = others.reduce((n, d) => n + (d.groups[0]?.members.length ?? 0), 0);
          return sample.members.length + otherMembers >= ctx.instances && sample.state !== 'PreparingRebalance' && sample.state !== 'CompletingRebalance';
        };
        if (!(await waitUntil(joined, ctx.timeouts.readyMs, ctx.signal, 250))) {
          const sample = await recordGroup();
          if (sample.members.length === 0 && sample.otherGroups.length === 0) {
            throw new LearnerNotReadyError(
              `no consumer joined the group "${sample.groupId}" within ${ctx.timeouts.readyMs / 1000}s`,
              'Create a kafkajs consumer with groupId: process.env.GROUP_ID, subscribe to PAYMENTS_TOPIC and call consumer.run().',
            );
          }
        }
      },
      async run() {
        const stopWatching = every(500, ctx.signal, async () => void (await recordGroup()));
        try {
          ctx.progress(`producing ${o.payments} payments to ${o.partitions} partitions; one consumer will be killed mid-payment`);
          while (sent < o.prefill + o.payments && !ctx.signal.aborted) {
            await kafka.produceBurst(topic, 'payments', burstOf(Math.min(o.batch, o.prefill + o.payments - sent)));
            await sleep(o.pauseMs, ctx.signal);
          }
          // Settled when everything was processed and every partition is committed to its end,
          // or when nothing new was processed for a while: lost payments never will be, and a
          // group nobody joined (a group id per copy) never commits. A held booking blocks its
          // partition, so the stillness of a hold does not count.
          await drain(ctx, { done: async () => processed() >= o.prefill + o.payments && (await allCommitted()), progress: () => String(processed()), quietMs: o.quietMs, intervalMs: 250 });
          await recordGroup();
        } finally {
          await stopWatching();
        }
      },
      async collect() {
        recordObservation(ctx.history, 'kafka-committed-offsets', await kafka.committedOffsets(groupId, topic));
      },
    };
  },
};
