/**
 * Weeks 4-5, Kafka keyed producer.
 *
 * The learner's program is an account-events service: the lab POSTs it batches of account
 * events (deposits, withdrawals, fees) on PORT, one batch at a time, and the program
 * publishes each event to EVENTS_TOPIC keyed by its account, answering 200 only once Kafka
 * acknowledged every event of the batch. Its Kafka traffic goes through toxiproxy (the
 * scenario's network faults), the lab's own clients go direct.
 *
 * The schedule opens each mistake's window every run:
 * - phase "reset" (at resetAtMs): the scenario resets every connection both ways for a
 *   moment: requests in flight never reach Kafka and are retried. A program with several
 *   sends in flight (one send() per event, side by side) has them retried each on its own
 *   timer: an account's events land out of order. A program that answered before its send
 *   finished has its events written after the 200 (or never, when it gave up).
 * - phase "lost-answers" (once the program answers again after the first fault, and not
 *   before lostAnswersAtMs): the scenario resets connections only when Kafka's answer comes
 *   back: the produce request was written, the program does not know, and retries it. Without
 *   the idempotent producer the retry writes the events a second time.
 * - phase "cut" (redeployAfterMs after "lost-answers"): the scenario resets every connection
 *   again for a moment, and the lab posts one batch into it.
 * - phase "redeploy" (as soon as that batch is answered): the scenario kills the program and
 *   starts it again, as a redeploy does; the lab waits for /health and goes on. A program that
 *   answered before its send finished dies with that batch unsent: acknowledged, never written. A partition chosen per process (Python's salted hash(), a random partition
 *   remembered per key) changes with the process: an account's later events land in another
 *   partition than its earlier ones. The default partitioner hashes the key the same way in
 *   every process.
 * Sending ends `tailMs` after the restarted program is ready; the lab then waits until the topic stays
 * still for quietMs (a program that sends in the background may still be writing) and reads
 * the topic back from the start, direct: every record with its partition, offset, key and
 * the time Kafka appended it (the topic has message.timestamp.type=LogAppendTime).
 *
 * History: each event sent is a `produce` (stream "events", key: its eventId; value: its
 * account, batch, position, the epoch ms it was sent, and the whole event), each batch's answer an `observe`
 * (stream "answers": status, its events, the epoch ms the answer came; outcome ok for a 2xx,
 * fail for another status, info for no answer), each record read back a `consume` (stream
 * "events", key: the eventId in its value; value: the Kafka key, account, append time and the
 * value parsed), or, when its value is not JSON or has no eventId, a `consume` of stream
 * "unreadable" (value: the Kafka key, append time, the value's first 200 characters).
 */
import { drain } from './blocks/drain.js';
import { answersHealth, freePort } from './blocks/learner-http.js';
import { openKafka } from './blocks/kafka.js';
import { defaults } from './options/kafka-keyed-producer.js';
import { type Workload, type WorkloadContext, LearnerNotReadyError, intOptions, jsonObject, messageId, sleep, waitUntil, withDeadline } from './types.js';

export interface KeyedProducerOptions {
  partitions: number;
  /** Accounts the events belong to ("account-01".."account-12"). */
  accounts: number;
  /** Each batch has events of this many accounts, interleaved... */
  accountsPerBatch: number;
  /** ...this many per account: side-by-side sends of one batch race on the same account. */
  eventsPerAccount: number;
  /** Between an answer and the next batch. */
  pauseMs: number;
  /** When (from the first batch) the workload enters phase "reset". */
  resetAtMs: number;
  /** Phase "lost-answers" comes no earlier than this, and only once the program answered
   *  again after the reset, so the two faults never overlap. */
  lostAnswersAtMs: number;
  /** Phase "redeploy" (the program killed and started again) comes this long after phase
   *  "lost-answers", once that fault healed. */
  redeployAfterMs: number;
  /** Batches keep coming this long after the restarted program answers /health again. */
  tailMs: number;
  /** How long the lab waits for the answer to one batch. */
  answerTimeoutMs: number;
  /** The topic is read back once its end offsets stood still this long. */
  quietMs: number;
}

const EVENT_TYPES = ['deposit', 'withdrawal', 'fee', 'interest'] as const;

/** An event as the lab sends it (the README's format). */
interface AccountEvent {
  eventId: string;
  accountId: string;
  type: (typeof EVENT_TYPES)[number];
  amountCents: number;
  /** The event's position among its account's events (1, 2, 3...): the order a reader needs. */
  accountSeq: number;
}

export const kafkaKeyedProducer: Workload<KeyedProducerOptions> = {
  name: 'kafka-keyed-producer',
  parseOptions: (raw) => ({ ...intOptions(raw, defaults) }),

  async prepare(ctx: WorkloadContext, o) {
    const kafka = await openKafka(ctx);
    // LogAppendTime: each record carries when Kafka wrote it, which the lab compares with
    // when the program answered 200.
    const topic = await kafka.createTopic('account-events', o.partitions, { 'message.timestamp.type': 'LogAppendTime' });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const random = ctx.random('events');
    const accountIds = Array.from({ length: o.accounts }, (_, i) => `account-${String(i + 1).padStart(2, '0')}`);
    const accountSeq = new Map<string, number>();
    let sentEvents = 0;
    let batches = 0;

    const nextBatch = (): AccountEvent[] => {
      const pool = [...accountIds];
      const chosen: string[] = [];
      while (chosen.length < Math.min(o.accountsPerBatch, o.accounts)) chosen.push(...pool.splice(random.int(0, pool.length - 1), 1));
      const events: AccountEvent[] = [];
      // Interleaved (a1 a2 a3 a1 a2 a3 ...), as events of many accounts arrive in real life.
      for (let round = 0; round < o.eventsPerAccount; round++) {
        for (const accountId of chosen) {
          const seq = (accountSeq.get(accountId) ?? 0) + 1;
          accountSeq.set(accountId, seq);
          events.push({ eventId: messageId('evt', ++sentEvents), accountId, type: EVENT_TYPES[random.int(0, EVENT_TYPES.length - 1)] ?? 'deposit', amountCents: random.int(100, 50_000), accountSeq: seq });
        }
      }
      return events;
    };

    let answered = 0;
    const post = async (events: AccountEvent[]): Promise<void> => {
      const batch = ++batches;
      const sentAt = Date.now();
      events.forEach((e, position) => ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: 'events', key: e.eventId, value: { accountId: e.accountId, type: e.type, accountSeq: e.accountSeq, batch, position, sentAt, event: { ...e } } }));
      const eventIds = events.map((e) => e.eventId);
      const record = (outcome: 'ok' | 'fail' | 'info', value: Record<string, unknown>) =>
        ctx.history.record({ process: 'lab', kind: 'observe', outcome, stream: 'answers', key: `batch-${batch}`, value: { batch, eventIds, answeredAt: Date.now(), ...value } });
      try {
        const { response, body } = await withDeadline(ctx.signal, o.answerTimeoutMs, async (signal) => {
          const response = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }), signal });
          return { response, body: (await response.text()).slice(0, 200) };
        });
        record(response.ok ? 'ok' : 'fail', { status: response.status, ...(response.ok ? {} : { body }) });
      } catch (error) {
        record('info', { error: (error as Error).name === 'TimeoutError' ? `no answer within ${o.answerTimeoutMs / 1000} s` : `no answer (${(error as Error).message})` });
      }
      answered++;
    };

    const healthy = () => answersHealth(url);
    const endOffsets = async () => (await kafka.admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);

    return {
      env: { ...kafka.env(), EVENTS_TOPIC: topic, PORT: String(port) },
      async awaitReady() {
        if (!(await waitUntil(healthy, ctx.timeouts.readyMs, ctx.signal, 200))) {
          throw new LearnerNotReadyError(
            `your program did not answer GET ${url}/health with 200 within ${ctx.timeouts.readyMs / 1000}s`,
            'Listen for HTTP on the port in PORT (on 127.0.0.1 or every interface) and answer GET /health with 200 once your Kafka producer is connected.',
          );
        }
      },
      async run() {
        ctx.progress(`posting batches of ${o.accountsPerBatch * o.eventsPerAccount} account events; the connection to Kafka will be reset twice, and your program restarted once`);
        const started = Date.now();
        let resetAt: number | undefined;
        let answeredAtReset = 0;
        let lostAnswersAt: number | undefined;
        let redeployedAt: number | undefined;
        while (!ctx.signal.aborted) {
          const now = Date.now();
          if (resetAt === undefined && now - started >= o.resetAtMs) {
            resetAt = now;
            answeredAtReset = answered;
            await ctx.phase('reset');
          } else if (resetAt !== undefined && lostAnswersAt === undefined && now - started >= o.lostAnswersAtMs && !ctx.faultActive() && answered >= answeredAtReset + 3) {
            lostAnswersAt = now;
            await ctx.phase('lost-answers');
          } else if (lostAnswersAt !== undefined && redeployedAt === undefined && now - lostAnswersAt >= o.redeployAfterMs && !ctx.faultActive()) {
            // One more batch goes out into a cut connection, and the program is killed as soon
            // as it answers: a correct program answers only once the cut healed and Kafka has
            // the batch, so it has nothing in flight at the kill (the lab posts one batch at a
            // time); a program that answered before its send finished loses that batch with
            // the process, every run, however fast the machine.
            await ctx.phase('cut');
            if (!(await waitUntil(() => ctx.faultActive(), 5_000, ctx.signal, 10))) throw new Error('the cut before the redeploy never started');
            await post(nextBatch());
            await ctx.phase('redeploy');
            await ctx.faultsSettled();
            if (!(await waitUntil(healthy, ctx.timeouts.readyMs, ctx.signal, 100))) {
              throw new LearnerNotReadyError(`after the restart, your program did not answer GET ${url}/health with 200 within ${ctx.timeouts.readyMs / 1000}s`, 'Answer GET /health with 200 once your Kafka producer is connected, on every start.');
            }
            redeployedAt = Date.now();
          } else if (redeployedAt !== undefined && now - redeployedAt >= o.tailMs) {
            break;
          }
          await post(nextBatch());
          await sleep(o.pauseMs, ctx.signal);
        }
        // A program that sends in the background may still be writing: wait until the topic
        // stands still.
        await drain(ctx, { done: () => false, progress: async () => String(await endOffsets().catch(() => -1)), quietMs: o.quietMs, intervalMs: 100 });
        for (const r of await kafka.readAll(topic)) {
          const event = jsonObject(r.value);
          const eventId = typeof event?.eventId === 'string' ? event.eventId : undefined;
          if (event === undefined || eventId === undefined) {
            // Not the event's JSON (or no eventId): the lab cannot tell which event it is, so
            // it goes to a stream of its own instead of posing as an event of no id.
            ctx.history.record({ process: 'lab', kind: 'consume', outcome: 'ok', stream: 'unreadable', partition: r.partition, offset: r.offset, value: { kafkaKey: r.key, appendedAt: r.timestamp, raw: r.value.slice(0, 200), json: event !== undefined } });
            continue;
          }
          ctx.history.record({
            process: 'lab',
            kind: 'consume',
            outcome: 'ok',
            stream: 'events',
            key: eventId,
            partition: r.partition,
            offset: r.offset,
            value: { kafkaKey: r.key, accountId: typeof event.accountId === 'string' ? event.accountId : null, appendedAt: r.timestamp, event },
          });
        }
      },
      async collect() {},
    };
  },
};
