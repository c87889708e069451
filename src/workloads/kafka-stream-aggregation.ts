/**
 * Weeks 4-5, stream aggregation (real-time analytics).
 *
 * The learner's program reads sales from SALES_TOPIC (one partition) and writes, per product
 * and tumbling window of WINDOW_MS of event time, the count and sum of the sales in it to
 * WINDOWS_TOPIC, keyed "<product>@<windowStart>", once stream time (the largest eventTime
 * read so far) reaches windowEnd + GRACE_MS. Copies of a sale (same saleId) count once; a
 * sale whose window already closed is dropped. checks/windows.ts has the definitions.
 *
 * The schedule, from the mistakes backwards (the sales' times are fixed, relative to a
 * minute about `backlogMinutes` ago: the shops' tills were offline and upload their backlog):
 * - every sale is sent within seconds of wall-clock time, minutes after it happened: windows
 *   by arrival time (the clock, or the record's timestamp, which is the send time) put every
 *   sale in windows of the run's own minute, never the sales' windows;
 * - the first sale is at 3.25 s past a window start: windows aligned to the first sale differ;
 * - a sale at exactly a window's end in four windows: an inclusive end counts it one window early;
 * - a sale out of order within the grace period in three windows, and two sales after their
 *   window closed: grace ignored drops the first kind, lateness ignored counts the second;
 * - one sale brings stream time to exactly window 2's end + grace, and the next is a late sale
 *   of window 2: a window that closes only once stream time is past (>) its end + grace counts it;
 * - three copies of earlier sales, each while its window is open (one of them after the
 *   restart, its original before the kill): counted twice without a saleId check;
 * - the first 7 sales are on the topic before the program starts: a consumer starting at the
 *   end of the topic never counts them;
 * - after the first live burst (windows 0 and 1 closed, window 2 open with four sales), once
 *   the program has written window 1 and committed, the workload enters the phase "restart":
 *   the scenario's kill-learner fault SIGKILLs the program and starts it again. A window
 *   counted only in memory, with the offsets of its sales committed, loses them.
 * - the last burst ends with a sale a minute ahead that closes every earlier window.
 *
 * The lab reads WINDOWS_TOPIC as the program writes it (`consume` of stream "windows"), until
 * the drain ends: every closed window right, or no new result for `quietMs`.
 */
import { resultsOf, salesOf, simulate } from '../checks/windows.js';
import { drain } from './blocks/drain.js';
import { type BurstRecord, type KafkaRun, openKafka } from './blocks/kafka.js';
import { LearnerNotReadyError, type Workload, type WorkloadContext, intOptions, jsonObject, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/kafka-stream-aggregation.js';

export interface StreamAggregationOptions {
  /** The tumbling window's size in event time. The schedule's times are written for 10 s. */
  windowMs: number;
  /** How long after its end a window still takes sales out of order (stream time). */
  graceMs: number;
  /** The sales happened about this long before the run (a backlog uploaded late). */
  backlogMinutes: number;
  /** After the program joined its group, how long the lab waits before sending: a consumer
   *  starting at the end of the topic has then found the end (the mistake shows every run). */
  settleMs: number;
  /** Before the kill, the longest wait for the program to write the windows the first live
   *  burst closes (a wrong program may never write them). */
  killWaitMs: number;
  /** Then the longest wait for the group's committed offset to reach the end of the topic. */
  commitWaitMs: number;
  /** ... but never a kill sooner than this after the program joined its group, unless its
   *  committed offset reached the end of the topic: librdkafka (confluent-kafka) auto-commits
   *  what poll() returned every 5 s, so a Python program that leaves it on has committed the
   *  open window's sales by then (an earlier kill would find nothing committed, and the
   *  restart would replay everything: the mistake would never show). */
  killAfterJoinMs: number;
  /** The drain ends once no new result came for this long. */
  quietMs: number;
  /** Once every closed window is right, how long the lab still reads results. */
  afterDoneMs: number;
}

type Burst = 'prefill' | 'live-1' | 'live-2';
/** One sale of the schedule: its burst, its event time in ms after the base minute, product and
 *  amount; or a copy of the n-th sale (1-based), as a producer's retry sends it again. */
type Step = { burst: Burst; at: number; product: string; cents: number } | { burst: Burst; copyOf: number };

/** Written for windows of 10 s and a grace of 5 s (see the header for what each line opens). */
const SCHEDULE: readonly Step[] = [
  { burst: 'prefill', at: 3_250, product: 'espresso', cents: 320 },
  { burst: 'prefill', at: 7_100, product: 'croissant', cents: 285 },
  { burst: 'prefill', at: 5_400, product: 'espresso', cents: 310 },
  { burst: 'prefill', at: 12_000, product: 'flat-white', cents: 410 },
  { burst: 'prefill', at: 10_000, product: 'muffin', cents: 265 }, // exactly at window 0's end
  { burst: 'prefill', at: 8_800, product: 'croissant', cents: 290 }, // out of order, in grace
  { burst: 'prefill', copyOf: 2 },
  { burst: 'live-1', at: 16_000, product: 'espresso', cents: 330 },
  { burst: 'live-1', at: 14_500, product: 'muffin', cents: 275 },
  { burst: 'live-1', at: 21_000, product: 'croissant', cents: 300 }, // closes window 0
  { burst: 'live-1', at: 9_000, product: 'espresso', cents: 340 }, // late: window 0 closed
  { burst: 'live-1', at: 20_000, product: 'flat-white', cents: 420 }, // exactly at window 1's end
  { burst: 'live-1', at: 19_999, product: 'muffin', cents: 280 }, // out of order, in grace
  { burst: 'live-1', at: 23_500, product: 'espresso', cents: 350 },
  { burst: 'live-1', at: 27_000, product: 'muffin', cents: 290 }, // closes window 1
  { burst: 'live-2', copyOf: 14 }, // its original was read before the kill
  { burst: 'live-2', at: 28_000, product: 'croissant', cents: 305 },
  { burst: 'live-2', at: 24_000, product: 'flat-white', cents: 415 },
  { burst: 'live-2', at: 33_000, product: 'espresso', cents: 360 },
  { burst: 'live-2', at: 30_000, product: 'muffin', cents: 270 }, // exactly at window 2's end
  { burst: 'live-2', at: 29_500, product: 'croissant', cents: 295 }, // out of order, in grace
  { burst: 'live-2', at: 35_000, product: 'flat-white', cents: 425 }, // exactly window 2's end + grace: closes it
  { burst: 'live-2', at: 26_000, product: 'espresso', cents: 355 }, // late: window 2 closed (at >=, not >)
  { burst: 'live-2', at: 41_000, product: 'muffin', cents: 285 },
  { burst: 'live-2', at: 44_000, product: 'croissant', cents: 310 },
  { burst: 'live-2', at: 40_000, product: 'espresso', cents: 365 }, // exactly at window 3's end
  { burst: 'live-2', copyOf: 25 },
  { burst: 'live-2', at: 90_000, product: 'flat-white', cents: 430 }, // closes windows 3 and 4
];

/** A sale as the program reads it (JSON value of SALES_TOPIC, keyed by product). */
interface SaleEvent {
  saleId: string;
  product: string;
  amountCents: number;
  /** When the sale happened, epoch ms. */
  eventTime: number;
}

export const kafkaStreamAggregation: Workload<StreamAggregationOptions> = {
  name: 'kafka-stream-aggregation',
  parseOptions: (raw) => ({ ...intOptions(raw, defaults) }),

  async prepare(ctx: WorkloadContext, o) {
    const kafka = await openKafka(ctx);
    const salesTopic = await kafka.createTopic('sales', 1);
    const windowsTopic = await kafka.createTopic('sales-per-window', 1);
    const groupId = kafka.name('sales-aggregator');

    // The minute the sales happened in: a backlog, uploaded minutes later.
    const base = Math.floor((Date.now() - o.backlogMinutes * 60_000) / 60_000) * 60_000;
    const events: SaleEvent[] = [];
    const burstOf = (burst: Burst): BurstRecord[] =>
      SCHEDULE.flatMap((step, i) => {
        if (step.burst !== burst) return [];
        const copy = 'copyOf' in step;
        const event = copy ? events[step.copyOf - 1] : { saleId: messageId('sale', i + 1), product: step.product, amountCents: step.cents, eventTime: base + step.at };
        if (!event) throw new Error(`schedule step ${i + 1} copies a sale that comes after it`);
        events[i] = event;
        const tags = [...(burst === 'prefill' ? ['prefill'] : []), ...(copy ? ['duplicate'] : [])];
        // The history's key is the record's Kafka key, the product, as the README says (the
        // saleId is in the value): what a learner reading history.jsonl expects.
        return [{ id: event.product, key: event.product, value: { ...event }, tags, recorded: { sentAt: Date.now() } }];
      });
    const send = (burst: Burst) => kafka.produceBurst(salesTopic, 'sales', burstOf(burst));

    // What a correct program has written once the lab's sales so far are read (checks/windows.ts).
    const selectors = { sales: { kind: 'produce', stream: 'sales' }, results: { kind: 'consume', stream: 'windows' } } as const;
    const expectedNow = () => simulate(salesOf(ctx.history.history, selectors.sales), o.windowMs, { windowOf: (t) => t - (t % o.windowMs), graceMs: o.graceMs, dedup: true, dropLate: true });
    const latestResults = () => resultsOf(ctx.history.history, selectors.results, o.windowMs).latest;

    // The lab's reader of the program's results, in a group of its own, from the beginning.
    let reading = true;
    let resultCount = 0;
    const reader = kafka.kafka.consumer({ groupId: kafka.name('lab-results-reader'), maxWaitTimeInMs: 100, sessionTimeout: 6_000, heartbeatInterval: 500 });
    ctx.defer(() => reader.disconnect());
    await reader.connect();
    await reader.subscribe({ topic: windowsTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message, partition }) => {
        if (!reading) return;
        resultCount += 1;
        const text = message.value?.toString() ?? '';
        ctx.history.record({ process: 'lab', kind: 'consume', outcome: 'ok', stream: 'windows', key: message.key?.toString() ?? '', partition, offset: message.offset, value: { text, json: jsonObject(text) } });
      },
    });

    await send('prefill');
    let joinedAt = Date.now();

    return {
      env: { ...kafka.env(), SALES_TOPIC: salesTopic, WINDOWS_TOPIC: windowsTopic, GROUP_ID: groupId, WINDOW_MS: String(o.windowMs), GRACE_MS: String(o.graceMs) },
      async awaitReady() {
        joinedAt = await awaitMember(ctx, kafka, groupId, salesTopic, new Set(), o.settleMs);
      },
      async run() {
        ctx.progress(`sending sales of ${SCHEDULE.length} steps (a backlog from ${o.backlogMinutes} minutes ago, out of order, some late, some sent twice); the program will be killed and restarted once`);
        await send('live-1');
        // Before the kill: the windows this burst closed are written (the program read it all),
        // and a program that commits as it reads has committed it all (kafkajs commits after
        // each batch, within milliseconds); a program that commits less (the first sale of the
        // oldest open window) costs the run `commitWaitMs`, or up to `killAfterJoinMs` after it
        // joined (librdkafka's 5-second auto-commit must have had its chance).
        const closedNow = [...expectedNow()].filter(([, w]) => w.closed).map(([key]) => key);
        await waitUntil(() => closedNow.every((key) => latestResults().has(key)), o.killWaitMs, ctx.signal, 50);
        const atEnd = async () => {
          const { offsets, endOffsets } = await kafka.committedOffsets(groupId, salesTopic);
          return (offsets['0'] ?? -1) >= (endOffsets['0'] ?? 0);
        };
        await waitUntil(atEnd, Math.max(o.commitWaitMs, joinedAt + o.killAfterJoinMs - Date.now()), ctx.signal, 50);
        const before = new Set((await kafka.sampleGroup(groupId, salesTopic, 1)).members.map((m) => m.memberId));
        await ctx.phase('restart');
        await ctx.faultsSettled();
        if (ctx.history.history.some((op) => op.kind === 'fault')) {
          ctx.progress('your program was killed and restarted; waiting for it to join the group again');
          await awaitMember(ctx, kafka, groupId, salesTopic, before, o.settleMs);
        }
        await send('live-2');
        const done = () => {
          const latest = latestResults();
          return [...expectedNow()].every(([key, w]) => !w.closed || (latest.get(key)?.count === w.count && latest.get(key)?.sumCents === w.sumCents));
        };
        const end = await drain(ctx, { done, progress: () => String(resultCount), quietMs: o.quietMs, intervalMs: 100 });
        // Every closed window right at some moment; a result written after it (a late sale
        // counted once it is read, an update with a copy) still counts as the latest.
        if (end === 'done') await sleep(o.afterDoneMs, ctx.signal);
        reading = false;
      },
      async collect() {},
    };
  },
};

/** Waits until a member not in `before` (a new one, after a restart) holds the sales topic's
 *  partition, then `settleMs` more; returns when it was seen holding it (epoch ms). */
async function awaitMember(ctx: WorkloadContext, kafka: KafkaRun, groupId: string, topic: string, before: ReadonlySet<string>, settleMs: number): Promise<number> {
  const joined = async () => {
    const sample = await kafka.sampleGroup(groupId, topic, 1);
    return sample.state === 'Stable' && sample.members.some((m) => !before.has(m.memberId) && m.partitions.length > 0);
  };
  if (!(await waitUntil(joined, ctx.timeouts.readyMs, ctx.signal, 100))) {
    throw new LearnerNotReadyError(
      `no consumer of the group "${kafka.baseOf(groupId)}" was reading ${kafka.baseOf(topic)} within ${ctx.timeouts.readyMs / 1000}s${before.size > 0 ? ' after your program was restarted' : ''}`,
      'Create a kafkajs consumer with groupId: config.groupId and the lab\'s timings (...config.groupTimings), subscribe to SALES_TOPIC and call consumer.run().',
    );
  }
  const joinedAt = Date.now();
  await sleep(settleMs, ctx.signal);
  return joinedAt;
}

