/**
 * Week 8, ordering at scale.
 *
 * The lab produces account events to ACCOUNT_EVENTS_TOPIC (partitions keyed by account id,
 * each event with its account's sequence number); the learner's program consumes them in the
 * group GROUP_ID and applies each with a call to the lab's ledger (LEDGER_API_URL). The run
 * starts with one copy; the scenario's scale-learner fault adds copies one at a time while
 * events keep coming, so the group rebalances several times mid-stream. Per account, the
 * ledger must see the events in sequence.
 *
 * The window each mistake needs, every run:
 * - side-by-side work inside one copy (a worker pool, Promise.all over a batch, calls not
 *   awaited): each burst gives an account several consecutive events, produced in one request
 *   so a consumer fetches them together, and the ledger answers the first of them `slowMs`
 *   later than the others (tag "slow"). Run side by side, a later event of the account always
 *   finishes first.
 * - copies that do not share the partitions (a group per copy): copy 1 runs alone for a few
 *   seconds first, so a copy that reads the topic on its own applies again what copy 1
 *   applied seconds before, far outside the rebalance window.
 * - starting at the end of the topic: `prefill` events are on the topic before any copy starts.
 * - committing an event before it is applied (a commit right after poll, confluent-kafka's
 *   auto-commit of what poll returned, work left running after eachBatch returned): the
 *   scenario's kill-learner fault holds a ledger call of copy 1 open, early while it runs
 *   alone, until the group's commit is past that event (probe "committed-past") or the hold
 *   runs out, SIGKILLs the copy and starts it again. A program that committed first has lost
 *   the event. The scale-out (phase "scale-out", after `scaleOutAfterBursts` bursts) waits
 *   until the restarted copy is back in the group, so the kill never mixes with the
 *   rebalances of the scale-out.
 *
 * The lab samples the group (members, assigned partitions, other groups of the run) every
 * 250 ms and records each change: the rebalance marks of repeats-only-at-rebalance.
 */
import { type KafkaGroupSample, recordObservation } from '../runner/observations.js';
import { whichCopyProblem } from '../runner/downstream.js';
import { tagsOf } from '../checks/types.js';
import { setTimeout as delay } from 'node:timers/promises';
import { drain } from './blocks/drain.js';
import { openKafka, type BurstRecord } from './blocks/kafka.js';
import { type Workload, type WorkloadContext, every, intOptions, LearnerNotReadyError, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/ordering-at-scale.js';

export interface OrderingOptions {
  partitions: number;
  accounts: number;
  /** Bursts the lab produces after the program is ready. */
  bursts: number;
  /** Accounts in one burst, and consecutive events each of them gets in it. */
  accountsPerBurst: number;
  eventsPerAccount: number;
  pauseMs: number;
  /** Bursts already on the topic when the first copy starts. */
  prefillBursts: number;
  apiLatencyMs: number;
  /** Up to this much more per call, from the run's seed. */
  apiJitterMs: number;
  /** How much later the ledger answers the first event of an account in a burst. */
  slowMs: number;
  /** The drain ends once nothing new was applied for this long. */
  quietMs: number;
  /** Accounts a burst moves on by: a few bursts cover every account, so every partition has
   *  a commit before the first rebalance. */
  accountStride: number;
  /** Bursts produced before the phase "scale-out" (the scenario times scale-learner on it). */
  scaleOutAfterBursts: number;
}

/** What the lab's ledger and the history know about one event. */
interface AccountEvent {
  eventId: string;
  accountId: string;
  seq: number;
  type: 'deposit' | 'withdrawal';
  amountCents: number;
}

export const orderingAtScale: Workload<OrderingOptions> = {
  name: 'ordering-at-scale',
  parseOptions: (raw) => ({
    ...intOptions(raw, defaults),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const kafka = await openKafka(ctx);
    const topic = await kafka.createTopic('account-events', o.partitions);
    kafka.registerInlet('account-events', topic, 'account-events');
    const groupId = kafka.name('ledger-writer');
    const total = (o.prefillBursts + o.bursts) * o.accountsPerBurst * o.eventsPerAccount;

    const ledger = await ctx.downstream({
      name: 'ledger-api',
      keyField: 'eventId',
      latencyMs: o.apiLatencyMs,
      jitterMs: o.apiJitterMs,
      okBody: { applied: '{key}' },
      recordFields: ['accountId', 'seq'],
      reject: ({ headers }) => whichCopyProblem(headers, ctx.instances),
    });
    // The first event of an account in a burst is the slow one: run beside the account's
    // next events, it finishes after them, every run.
    ledger.service.onCall(async (call) => {
      const produced = ctx.history.produced(call.key);
      if (produced && tagsOf(produced).includes('slow')) await delay(o.slowMs);
      return 'continue';
    });

    const nextSeq = new Map<string, number>();
    let sent = 0;
    let burstNo = 0;
    // Each burst: `accountsPerBurst` accounts, taken in turn, interleaved (a1 a2 a3 a1 a2 ...),
    // each with `eventsPerAccount` consecutive events.
    const burst = (): BurstRecord[] => {
      const accounts = Array.from({ length: o.accountsPerBurst }, (_, i) => `account-${String(((burstNo * o.accountStride + i) % o.accounts) + 1).padStart(2, '0')}`);
      burstNo++;
      const records: BurstRecord[] = [];
      for (let n = 0; n < o.eventsPerAccount; n++) {
        for (const accountId of accounts) {
          const seq = (nextSeq.get(accountId) ?? 0) + 1;
          nextSeq.set(accountId, seq);
          const i = ++sent;
          const event: AccountEvent = { eventId: messageId('event', i), accountId, seq, type: i % 3 === 0 ? 'withdrawal' : 'deposit', amountCents: ((i * 37) % 9000) + 100 };
          records.push({ id: event.eventId, key: accountId, value: { ...event }, tags: n === 0 ? ['slow'] : [] });
        }
      }
      return records;
    };
    for (let b = 0; b < o.prefillBursts; b++) await kafka.produceBurst(topic, 'account-events', burst());

    // Evidence for the kill-learner hold: the group committed past the held event.
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
    // Consumers of the run: the group's members, and those of groups of its own a copy made
    // (graded by repeats-only-at-rebalance, not refused here).
    const consumers = async (): Promise<{ count: number; settled: boolean }> => {
      const sample = await recordGroup();
      const others = await Promise.all(sample.otherGroups.map((g) => kafka.admin.describeGroups([kafka.name(g)])));
      const count = sample.members.length + others.reduce((n, d) => n + (d.groups[0]?.members.length ?? 0), 0);
      return { count, settled: sample.state === 'Stable' || (sample.members.length === 0 && count > 0) };
    };
    const applied = () => new Set(ctx.history.history.filter((op) => op.kind === 'call' && op.stream === 'ledger-api' && op.outcome === 'ok').map((op) => op.key)).size;
    const NOT_JOINED_HINT = 'Create a kafkajs consumer with groupId: config.groupId (GROUP_ID) and config.groupTimings, subscribe to ACCOUNT_EVENTS_TOPIC and call consumer.run() (confluent-kafka: subscribe([topic]) and poll in a loop).';

    return {
      env: { ...kafka.env(), ACCOUNT_EVENTS_TOPIC: topic, GROUP_ID: groupId, LEDGER_API_URL: ledger.url },
      async awaitReady() {
        const joined = async () => {
          const { count, settled } = await consumers();
          return count >= ctx.startingInstances && settled;
        };
        if (!(await waitUntil(joined, ctx.timeouts.readyMs, ctx.signal, 250))) {
          throw new LearnerNotReadyError(`no consumer joined the group "${kafka.baseOf(groupId)}" within ${ctx.timeouts.readyMs / 1000}s`, NOT_JOINED_HINT);
        }
      },
      async awaitCopyReady(instance) {
        // Ready once the run has as many consumers as copies running: the new copy joined.
        const joined = async () => {
          const { count, settled } = await consumers();
          return count >= ctx.learners.running().length && settled;
        };
        if (!(await waitUntil(joined, ctx.timeouts.readyMs, ctx.signal, 250)) && !ctx.signal.aborted) {
          const { count } = await consumers();
          throw new LearnerNotReadyError(
            `copy ${instance} never joined: the run had ${count} consumer${count === 1 ? '' : 's'} for ${ctx.learners.running().length} running copies after ${ctx.timeouts.readyMs / 1000}s`,
            `A copy started while others run must join the group like the first one did. ${NOT_JOINED_HINT}`,
          );
        }
      },
      async run() {
        const stopWatching = every(250, ctx.signal, async () => void (await recordGroup()));
        try {
          ctx.progress(`producing ${total} account events to ${o.partitions} partitions; copies of your program are added while they come`);
          for (let b = 0; b < o.bursts && !ctx.signal.aborted; b++) {
            if (b === o.scaleOutAfterBursts) {
              // A kill (held call, SIGKILL, restart) is over and the restarted copy is back in
              // the group before copies are added: each lesson gets a group of its own.
              // ... and has worked off the backlog the hold left (everything sent applied, or
              // nothing new applied for a second: what a program lost never will be), so the
              // scale-out starts, as without a kill, with short batches.
              let lastApplied = -1;
              let lastChange = Date.now();
              const backTogether = async () => {
                if (ctx.faultActive()) return false;
                const { count, settled } = await consumers();
                if (count < ctx.learners.running().length || !settled) return false;
                const now = applied();
                if (now !== lastApplied) [lastApplied, lastChange] = [now, Date.now()];
                return now >= sent || Date.now() - lastChange >= 1_000;
              };
              await waitUntil(backTogether, ctx.timeouts.readyMs, ctx.signal, 250);
              await ctx.phase('scale-out');
            }
            await kafka.produceBurst(topic, 'account-events', burst());
            await sleep(o.pauseMs, ctx.signal);
          }
          // Settled when every event was applied, or nothing new was applied for a while (what
          // is lost never will be). While copies are still being added, the drain waits.
          await drain(ctx, { done: () => applied() >= total, progress: () => String(applied()), quietMs: o.quietMs, intervalMs: 250 });
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

