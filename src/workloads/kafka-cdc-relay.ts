/**
 * Weeks 4-5, change data capture: a polling relay carries the changes of a PostgreSQL table
 * into a Kafka topic and keeps a durable position (Kafka Connect's job, done by hand).
 *
 * The lab owns the run's database: a `customers` table whose every insert and update gets a
 * new `change_id` from a sequence, set by a trigger (which also sets updated_at = now(), the
 * transaction's start time, and takes a transaction-level advisory lock so change ids are
 * handed out in commit order), and a `relay_position` table. The learner's program (one copy,
 * the relay) polls the changes after its position, publishes each to CHANGES_TOPIC (key: the
 * customer id; value: the row as JSON with its changeId), and saves its position, in
 * relay_position or on POSITION_TOPIC, once Kafka acknowledged the publishes. The lab writes
 * the changes (`produce`, stream "changes", keyed by change id, tagged), reads both topics
 * with a consumer of its own (`consume`, stream "changes-topic", with partition, offset and
 * Kafka key; the position topic only feeds the lab's view of the position), and records the
 * saved position at the kill and at the end (observation "cdc-position").
 *
 * Phases, designed from the mistakes backwards so that each window opens every run:
 * 0. before the program starts, `initialCustomers` customers exist: a relay that starts at
 *    the newest change skips them.
 * 1. "stream": three customers inserted in one transaction (one now(), one updated_at), then
 *    a transaction that begins (its now() fixed) and commits its update only after
 *    `streamChanges` later changes committed and were published: its updated_at is older
 *    than theirs. A relay polling `updated_at > last seen` skips it, every run; one polling
 *    `change_id > position` does not (the trigger's lock makes ids follow commit order).
 *    Afterwards one customer is left untouched to the end: its phase-1 row stays in the table,
 *    below any later position, so a relay that restarts from 0 (it never reads its saved
 *    position back) publishes it again, every run.
 * 2. "relay-kill": the scenario puts latency on the program's connection to PostgreSQL, so
 *    each statement takes a round trip while a change comes every `killSpacingMs`, and
 *    resets the program's Kafka connections for a moment: a relay that saves its position
 *    without awaiting Kafka's acknowledgement saves it while its send is still being retried.
 *    The lab kills the relay at the first moment its saved position and the topic disagree: a
 *    change in the topic beyond the position (a correct relay between the ack and the save:
 *    it must publish it again after the restart) or a position beyond the topic (a relay
 *    that saves before it publishes loses those changes). It reads the position right
 *    after the kill; while the relay is down the lab makes `whileDownChanges` changes: a
 *    relay that starts at the newest change skips them, one that starts at nothing
 *    publishes everything again.
 * 3. "after-restart": once the relay published again, `afterRestartChanges` more, while the
 *    scenario slows PostgreSQL and the program's Kafka path again: each publish is held by
 *    the latency while the lab commits the next change, so changes commit while the relay is
 *    between its poll and its save, every run, and a relay that saves the table's newest
 *    change id instead of the last one it published skips some. Then the lab waits until
 *    every change is in the topic and the position covers the last one.
 * The lab changes a customer again only once its previous change is in the topic, so every
 * change id stays visible in the table until a relay could publish it: a polling relay sees
 * the latest row only, so one that lost a change cannot blame a newer one.
 * The kill is the workload's own (it depends on the table and the topic), recorded as a
 * kill-learner fault event (id KILL_FAULT_ID), so the report and the checks see it as any kill.
 */
import type { Consumer, EachMessagePayload } from 'kafkajs';
import type { PoolClient } from 'pg';
import type { CdcPosition } from '../runner/observations.js';
import { recordObservation } from '../runner/observations.js';
import { drain } from './blocks/drain.js';
import { openKafka } from './blocks/kafka.js';
import { openPostgres } from './blocks/postgres.js';
import { LearnerNotReadyError, type Workload, type WorkloadContext, intOptions, jsonObject, messageId, sleep, waitUntil } from './types.js';
import { KILL_FAULT_ID, defaults } from './options/kafka-cdc-relay.js';

export interface KafkaCdcRelayOptions {
  /** Customers in the table before the program starts. */
  initialCustomers: number;
  /** Changes of phase 1 committed while the late transaction is open, `streamSpacingMs` apart. */
  streamChanges: number;
  streamSpacingMs: number;
  /** One change every `killSpacingMs` while the lab waits for the kill window. */
  killSpacingMs: number;
  /** Changes made while the relay is down. */
  whileDownChanges: number;
  /** Changes after the restart, `afterRestartSpacingMs` apart. */
  afterRestartChanges: number;
  afterRestartSpacingMs: number;
  /** How long the lab waits for a kill window before it kills anyway. */
  windowMs: number;
  /** A drain ends once nothing moved for this long. */
  quietMs: number;
}

/** The tables, as the README gives them. */
export const CDC_DDL = `
CREATE TABLE customers (
  customer_id text PRIMARY KEY,
  name        text NOT NULL,
  email       text NOT NULL,
  tier        text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  change_id   bigint NOT NULL
);
CREATE SEQUENCE customer_change_seq;
CREATE FUNCTION stamp_customer_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- One writer at a time from here to COMMIT: change ids are handed out in commit order.
  PERFORM pg_advisory_xact_lock(727274);
  NEW.change_id := nextval('customer_change_seq');
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER customers_change BEFORE INSERT OR UPDATE ON customers
  FOR EACH ROW EXECUTE FUNCTION stamp_customer_change();
CREATE TABLE relay_position (
  relay           text PRIMARY KEY,
  last_change_id  bigint NOT NULL,
  last_updated_at timestamptz,
  saved_at        timestamptz NOT NULL DEFAULT now()
);`;

/** Partitions of CHANGES_TOPIC: several, so a change published without a key lands anywhere. */
export const CHANGES_PARTITIONS = 3;

const TIERS = ['free', 'basic', 'pro', 'enterprise'] as const;
const NAMES = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Frances', 'Edsger', 'Radia'] as const;

interface Made {
  changeId: number;
  customerId: string;
}

export const kafkaCdcRelay: Workload<KafkaCdcRelayOptions> = {
  name: 'kafka-cdc-relay',
  parseOptions: (raw) => ({ ...intOptions(raw, defaults) }),

  async prepare(ctx: WorkloadContext, o) {
    const db = await openPostgres(ctx);
    await db.query(CDC_DDL);
    const kafka = await openKafka(ctx);
    const CHANGES_TOPIC = await kafka.createTopic('customer-changes', CHANGES_PARTITIONS);
    const POSITION_TOPIC = await kafka.createTopic('customer-changes-position', 1);
    const random = ctx.random('customers');

    // What the lab made, and what it has seen in the topics.
    const made: Made[] = [];
    const lastChangeOf = new Map<string, number>(); // customer -> its newest change id
    const published = new Set<number>(); // change ids seen in CHANGES_TOPIC
    let topicPosition: number | undefined; // the newest position on POSITION_TOPIC
    const consumedUpTo = new Map<string, bigint>(); // "topic:partition" -> next offset
    let customers = 0;

    const record = (m: Made, op: 'insert' | 'update', phase: string, tags: string[] = []) => {
      made.push(m);
      lastChangeOf.set(m.customerId, m.changeId);
      ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: 'changes', key: String(m.changeId), value: { changeId: m.changeId, customerId: m.customerId, op, phase, tags } });
    };
    const newCustomer = () => {
      customers += 1;
      return { customerId: messageId('cust', customers), name: `${NAMES[random.int(0, NAMES.length - 1)]} ${customers}`, tier: TIERS[random.int(0, TIERS.length - 1)] as string };
    };
    const email = (customerId: string) => `${customerId}.${random.int(100, 999)}@example.test`;
    type Queryable = Pick<PoolClient, 'query'>;
    /** Inserts a new customer (through `client`, inside its transaction, or on its own). */
    const insert = async (client?: Queryable): Promise<Made> => {
      const c = newCustomer();
      const sql = 'INSERT INTO customers (customer_id, name, email, tier) VALUES ($1, $2, $3, $4) RETURNING change_id::int AS change_id';
      const params = [c.customerId, c.name, email(c.customerId), c.tier];
      const rows = client ? (await client.query<{ change_id: number }>(sql, params)).rows : await db.query<{ change_id: number }>(sql, params);
      return { changeId: Number(rows[0]?.change_id), customerId: c.customerId };
    };
    const updateSql = 'UPDATE customers SET tier = $2, email = $3 WHERE customer_id = $1 RETURNING change_id::int AS change_id';
    // Customers the lab no longer changes after phase 1 (see run()).
    const untouched = new Set<string>();
    /** A customer whose newest change is already in the topic (not `except`, not untouched), if any. */
    const settledCustomer = (except: ReadonlySet<string> = new Set()): string | undefined => {
      const settled = [...lastChangeOf].filter(([c, id]) => published.has(id) && !except.has(c) && !untouched.has(c)).map(([c]) => c);
      return settled.length === 0 ? undefined : settled[random.int(0, settled.length - 1)];
    };
    /** One change in its own transaction: an update of a settled customer, else a new one. */
    const change = async (phase: string, except: ReadonlySet<string> = new Set(), tags: string[] = []) => {
      const customerId = settledCustomer(except);
      if (!customerId) {
        const m = await insert();
        record(m, 'insert', phase, tags);
        return m;
      }
      const rows = await db.query<{ change_id: number }>(updateSql, [customerId, TIERS[random.int(0, TIERS.length - 1)], email(customerId)]);
      const m = { changeId: Number(rows[0]?.change_id), customerId };
      record(m, 'update', phase, tags);
      return m;
    };

    // Before the program starts: customers it must publish too (it has no position yet).
    for (let i = 0; i < o.initialCustomers; i++) {
      record(await insert(), 'insert', 'before-start');
    }

    // The lab's reader of both topics, from the beginning.
    const consumer: Consumer = kafka.kafka.consumer({ groupId: kafka.name('lab-reader'), maxWaitTimeInMs: 50, sessionTimeout: 6_000, heartbeatInterval: 500 });
    await consumer.connect();
    ctx.defer(() => consumer.disconnect());
    await consumer.subscribe({ topics: [CHANGES_TOPIC, POSITION_TOPIC], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }: EachMessagePayload) => {
        consumedUpTo.set(`${topic}:${partition}`, BigInt(message.offset) + 1n);
        const raw = message.value?.toString('utf8') ?? '';
        const body = jsonObject(raw);
        if (topic === POSITION_TOPIC) {
          const p = Number(body?.lastChangeId);
          if (Number.isFinite(p)) topicPosition = p;
          return;
        }
        const changeId = typeof body?.changeId === 'number' ? body.changeId : Number(body?.changeId);
        const ok = Number.isInteger(changeId) && changeId > 0;
        if (ok) published.add(changeId);
        ctx.history.record({
          process: 'lab',
          kind: 'consume',
          outcome: ok ? 'ok' : 'fail',
          stream: 'changes-topic',
          ...(ok ? { key: String(changeId) } : {}),
          partition,
          offset: message.offset,
          value: { kafkaKey: message.key === null ? null : message.key.toString('utf8'), customerId: typeof body?.customerId === 'string' ? body.customerId : null, changeId: ok ? changeId : null, types: body ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v === null ? 'null' : typeof v])) : null, raw: raw.slice(0, 300) },
        });
      },
    });

    /** Whether the lab's reader has read both topics up to their ends. */
    const caughtUp = async (): Promise<boolean> => {
      for (const topic of [CHANGES_TOPIC, POSITION_TOPIC]) {
        for (const p of await kafka.admin.fetchTopicOffsets(topic)) {
          if (BigInt(p.high) > (consumedUpTo.get(`${topic}:${p.partition}`) ?? 0n)) return false;
        }
      }
      return true;
    };
    /** The saved position: the table's, else the topic's (a relay uses one of them). */
    const savedPosition = async (): Promise<{ position: number | null; source: CdcPosition['source'] }> => {
      const rows = await db.query<{ p: number | null }>('SELECT max(last_change_id)::int AS p FROM relay_position');
      const table = rows[0]?.p ?? null;
      if (table !== null && (topicPosition === undefined || table >= topicPosition)) return { position: table, source: 'table' };
      if (topicPosition !== undefined) return { position: topicPosition, source: 'topic' };
      return { position: null, source: null };
    };
    const observePosition = async (at: CdcPosition['at']) => {
      await waitUntil(() => caughtUp().catch(() => false), 3_000, ctx.signal, 50);
      const saved = await savedPosition();
      recordObservation(ctx.history, 'cdc-position', { at, ...saved, publishedMax: Math.max(0, ...published), madeMax: Math.max(0, ...made.map((m) => m.changeId)) });
      return saved;
    };

    const recordKill = (value: Record<string, unknown>) => ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'kill-learner', id: KILL_FAULT_ID, ...value } });
    const allPublished = () => made.every((m) => published.has(m.changeId));
    const progress = () => `${published.size}|${ctx.history.history.length}|${topicPosition ?? ''}`;

    return {
      env: {
        ...kafka.env(),
        CHANGES_TOPIC,
        POSITION_TOPIC,
        DATABASE_URL: db.url,
      },
      async awaitReady() {
        // The relay is ready once it polls the table (or looks up its newest change).
        const polling = async () =>
          (
            await db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = $1 AND pid <> pg_backend_pid() AND query ~* 'from\\s+("?\\w+"?\\.)?"?customers\\y'`,
              [db.database],
            )
          )[0]?.n !== 0;
        if (await waitUntil(() => polling().catch(() => false), ctx.timeouts.readyMs, ctx.signal, 50)) return;
        if (ctx.signal.aborted) return;
        throw new LearnerNotReadyError(
          `the relay never queried the customers table within ${ctx.timeouts.readyMs / 1000} s`,
          'The relay must connect to DATABASE_URL and start polling right away: SELECT ... FROM customers WHERE change_id > $1 ORDER BY change_id, in a loop (every 100-200 ms). The lab waits for that query before it makes changes.',
        );
      },
      async run() {
        // Phase 1: rows sharing a timestamp, and a change committed late with an old one.
        await ctx.phase('stream');
        ctx.progress(`phase 1: customers inserted in one transaction, and an update committed after ${o.streamChanges} later changes`);
        const batch = await db.pool.connect();
        try {
          await batch.query('BEGIN');
          const inserted: Made[] = [];
          for (let i = 0; i < 3; i++) inserted.push(await insert(batch));
          await batch.query('COMMIT');
          for (const m of inserted) record(m, 'insert', 'stream', ['same-transaction']);
        } catch (error) {
          await batch.query('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          batch.release();
        }
        // The late transaction's customer: an initial one, whatever the relay published so far.
        const lateCustomer = made[0]?.customerId ?? '';
        const late = await db.pool.connect();
        const others: Made[] = [];
        try {
          await late.query('BEGIN');
          await late.query('SELECT now()'); // its now(), hence its updated_at, is fixed here
          for (let i = 0; i < o.streamChanges; i++) {
            await sleep(o.streamSpacingMs, ctx.signal);
            others.push(await change('stream', new Set([lateCustomer])));
          }
          // Its update commits only once the later changes are in the topic (bounded).
          await waitUntil(() => others.every((m) => published.has(m.changeId)), 2_000, ctx.signal, 25);
          const rows = (await late.query<{ change_id: number }>(updateSql, [lateCustomer, 'pro', email(lateCustomer)])).rows;
          await late.query('COMMIT');
          record({ changeId: Number(rows[0]?.change_id), customerId: lateCustomer }, 'update', 'stream', ['late-commit']);
        } catch (error) {
          await late.query('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          late.release();
        }
        await drain(ctx, { done: allPublished, progress, quietMs: o.quietMs });
        if (ctx.signal.aborted) return;
        if (published.size === 0) {
          // Nothing reached the topic at all: no kill can tell more; the verdict is known.
          ctx.progress('no change reached CHANGES_TOPIC: the lab stops here');
          return;
        }
        // One customer keeps its phase-1 row to the end: a relay that restarts from 0 (it never
        // reads its saved position back) publishes that row again, below the saved position.
        const oldest = [...lastChangeOf].sort(([, a], [, b]) => a - b)[0];
        if (oldest) untouched.add(oldest[0]);

        // Phase 2: slow PostgreSQL, changes keep coming, the kill at the first disagreement.
        ctx.progress('phase 2: the relay is killed between a publish and its position (or the other way round)');
        await ctx.phase('relay-kill');
        recordKill({ phase: 'hold', instance: 1 });
        let reason: string | undefined;
        const deadline = Date.now() + o.windowMs;
        let nextChange = 0;
        while (reason === undefined && Date.now() < deadline && !ctx.signal.aborted) {
          if (Date.now() >= nextChange) {
            await change('relay-kill');
            nextChange = Date.now() + o.killSpacingMs;
          }
          const { position } = await savedPosition().catch(() => ({ position: null }));
          const p = position ?? 0;
          if (made.some((m) => m.changeId > p && published.has(m.changeId))) reason = 'published-not-saved';
          else if (made.some((m) => m.changeId <= p && !published.has(m.changeId))) reason = 'saved-not-published';
          else await sleep(10, ctx.signal);
        }
        if (ctx.signal.aborted) return;
        recordKill({ phase: 'start', instance: 1, signal: 'SIGKILL', reason: reason ?? 'max' });
        const relay = ctx.learners.get(1);
        await relay.kill();
        await ctx.phase('relay-down');
        for (let i = 0; i < o.whileDownChanges; i++) await change('relay-down', new Set(), ['while-down']);
        // A save the relay sent just before it died may still be on its way (the latency):
        // the position at the kill is the one that stands still.
        let last = JSON.stringify(await savedPosition().catch(() => null));
        let stillSince = Date.now();
        await waitUntil(
          async () => {
            const now = JSON.stringify(await savedPosition().catch(() => null));
            if (now !== last) [last, stillSince] = [now, Date.now()];
            return Date.now() - stillSince >= 600;
          },
          3_000,
          ctx.signal,
          50,
        );
        await observePosition('kill');
        if (ctx.signal.aborted) return;
        relay.start();
        recordKill({ phase: 'heal', instance: 1, restarted: true });
        const restartedAt = published.size;

        // Phase 3: once the relay publishes again, more changes, with PostgreSQL slow again
        // (the scenario's latency), so they commit while the relay is between its poll and
        // its save; then everything must be out.
        await waitUntil(() => published.size > restartedAt, 3_000, ctx.signal, 25);
        // The kill phase's latency is over first: a second one on the same proxy must not overlap it.
        await ctx.faultsSettled();
        if (ctx.signal.aborted) return;
        await ctx.phase('after-restart');
        ctx.progress(`phase 3: ${o.afterRestartChanges} changes after the restart`);
        for (let i = 0; i < o.afterRestartChanges; i++) {
          await change('after-restart');
          await sleep(o.afterRestartSpacingMs, ctx.signal);
        }
        const covered = async () => allPublished() && ((await savedPosition().catch(() => ({ position: null }))).position ?? 0) >= Math.max(...made.map((m) => m.changeId));
        await drain(ctx, { done: covered, progress, quietMs: o.quietMs });
      },
      async collect() {
        await observePosition('end');
      },
    };
  },
};
