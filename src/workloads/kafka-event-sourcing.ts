/**
 * Weeks 4-5, event sourcing: user activity as an append-only topic, current state rebuilt
 * from it.
 *
 * The lab appends user actions to USER_ACTIONS_TOPIC (keyed by user id, `partitions`
 * partitions). The learner's program, in the consumer group GROUP_ID, folds each user's
 * actions into the user's current state and publishes that state to USER_STATE_TOPIC, a
 * compacted topic it creates, keyed by user id. The lab follows the snapshot topic with a
 * consumer of its own and records every snapshot it reads (checks/user-state.ts).
 *
 * The schedule, from the mistakes backwards:
 * - before the program starts, every user already has a few actions on the log (signed up,
 *   an item in the cart, an email change): the state must be built from what is there.
 * - live bursts: every user gets an action per burst while the program runs; in the last one
 *   some users remove more of a sku than the cart holds, or a sku not in it (the README: at 0 or
 *   below the sku leaves the cart), so a fold that deletes only at exactly 0 shows.
 * - the program runs at least `liveMinMs` (6 s) before the kill: longer than librdkafka's
 *   auto-commit interval (5 s), so a program with its states in memory and the client's
 *   auto-commit on has committed offsets past what it will forget.
 * - once the program has caught up, the phase "kill": the scenario's kill-learner fault
 *   SIGKILLs it. While it is down the lab appends `whileDownBursts` more bursts (every user
 *   gets actions), and only then (probe "while-down-sent") the program is started again. A
 *   program that kept its state only in memory and went on from its group's committed offsets
 *   now folds these onto an empty state; a program that restored its snapshots and went on at
 *   the end of the log never sees them.
 * - the phase "back" once the restarted program is in its group again (a member that was not
 *   there before the kill), then `afterBursts` bursts, every user again: every user's final
 *   state depends on actions from before the kill, while it was down, and after.
 * - some actions carry an occurredAt older than the user's previous action (a phone that was
 *   offline and synced late): a program that orders by time instead of the log shows it.
 * - the drain ends when every user's latest snapshot equals the fold of their history, or
 *   when no snapshot came for `quietMs`.
 */
import { type UserAction, type UserState, applyAction, emptyState, foldUser, latestByKey, snapshotRecords, stateDifferences, userHistories } from '../checks/user-state.js';
import { recordLearnerEvent } from '../runner/learner-events.js';
import { recordObservation } from '../runner/observations.js';
import { drain } from './blocks/drain.js';
import { type BurstRecord, openKafka } from './blocks/kafka.js';
import { clusterReplicationFactor, retrying, topicState } from './blocks/kafka-topics.js';
import { LearnerNotReadyError, type Workload, type WorkloadContext, intOptions, jsonObject, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/kafka-event-sourcing.js';

export interface EventSourcingOptions {
  partitions: number;
  users: number;
  /** Bursts (one action per user each) while the program runs, before the kill. */
  liveBursts: number;
  /** Bursts appended while the program is down. */
  whileDownBursts: number;
  /** Bursts after the restarted program is back in its group. */
  afterBursts: number;
  pauseMs: number;
  /** The program runs at least this long (from when it was ready) before the kill: longer than
   *  librdkafka's default auto-commit interval (enable.auto.commit, every 5 s), so a program
   *  that keeps its states in memory and lets the client commit has committed before it dies. */
  liveMinMs: number;
  /** Before the kill: the program has caught up when every user's snapshot is right, or no
   *  snapshot came for this long. */
  caughtUpQuietMs: number;
  /** After the restarted copy is in its group, before the phase "back": its position is set. */
  backMarginMs: number;
  quietMs: number;
}

const ACTIONS = 'user-actions';
const STATE = 'user-state';
/** The occurredAt of the first action; each next action is a few seconds later, except the late ones. */
const EPOCH = Date.parse('2026-03-02T09:00:00Z');
const PLANS = ['free', 'pro', 'team'] as const;
const SKUS = ['sku-book', 'sku-mug', 'sku-lamp', 'sku-pen'] as const;

/** Makes each user's actions, in a fixed pattern per user: what the state already holds
 *  decides what comes next (an item removed is one in the cart). */
class ActionScript {
  private readonly states = new Map<string, UserState>();
  private readonly counts = new Map<string, number>();
  private clock = 0;
  private sent = 0;

  constructor(readonly users: readonly string[]) {}

  /** One action for `userId`; `late` puts its occurredAt 90 s before the user's previous one;
   *  `overRemove` removes more than the cart holds (a sku in it, or one that is not). */
  next(userId: string, opts: { late?: boolean; last?: boolean; overRemove?: boolean } = {}): UserAction {
    const state = this.states.get(userId) ?? emptyState(userId);
    const n = this.counts.get(userId) ?? 0;
    const u = this.users.indexOf(userId);
    this.clock += 3_000;
    const occurredAt = new Date(EPOCH + this.clock - (opts.late ? 90_000 + 3_000 : 0)).toISOString();
    const base = { eventId: messageId('action', ++this.sent), userId, occurredAt };
    let action: UserAction;
    const inCart = Object.keys(state.cart);
    if (n === 0) action = { ...base, type: 'signed-up', email: `${userId}@example.com`, plan: 'free' };
    else if (opts.last && u % 3 === 0) action = { ...base, type: 'deactivated' };
    // "At 0 or below the sku leaves the cart": a line removed past 0, and a sku never added.
    else if (opts.overRemove && u % 3 === 1 && inCart.length > 0) {
      const sku = inCart[u % inCart.length] ?? '';
      action = { ...base, type: 'item-removed', sku, quantity: (state.cart[sku] ?? 0) + 1 };
    } else if (opts.overRemove && u % 3 === 2) action = { ...base, type: 'item-removed', sku: SKUS.find((sku) => !(sku in state.cart)) ?? 'sku-gift', quantity: 1 };
    else {
      const kind = (n + u) % 5;
      if (kind === 0) action = { ...base, type: 'email-changed', email: `${userId}+${n}@example.com` };
      else if (kind === 1) action = { ...base, type: 'plan-changed', plan: PLANS[(n + u) % PLANS.length] ?? 'pro' };
      else if ((kind === 3 || kind === 4) && inCart.length > 0) action = { ...base, type: 'item-removed', sku: inCart[(n + u) % inCart.length] ?? '', quantity: 1 };
      else action = { ...base, type: 'item-added', sku: SKUS[(n * 3 + u) % SKUS.length] ?? 'sku-book', quantity: 1 + ((n + u) % 3) };
    }
    if (opts.late && action.type !== 'signed-up') action = { ...base, type: 'email-changed', email: `${userId}+phone@example.com` };
    this.states.set(userId, applyAction(state, action));
    this.counts.set(userId, n + 1);
    return action;
  }
}

export const kafkaEventSourcing: Workload<EventSourcingOptions> = {
  name: 'kafka-event-sourcing',
  parseOptions: (raw) => ({ ...intOptions(raw, defaults) }),

  async prepare(ctx: WorkloadContext, o) {
    const kafka = await openKafka(ctx);
    const { ConfigResourceTypes } = (await import('kafkajs')).default;
    const actionsTopic = await kafka.createTopic(ACTIONS, o.partitions);
    const stateTopic = kafka.name(STATE);
    const groupId = kafka.name('user-state-builder');
    const replicationFactor = ctx.shared ? await clusterReplicationFactor(kafka, ConfigResourceTypes.BROKER) : 1;
    const users = Array.from({ length: o.users }, (_, i) => `user-${String(i + 1).padStart(2, '0')}`);
    const script = new ActionScript(users);

    const send = async (actions: UserAction[]) => {
      // The history's key is the record's Kafka key, the user id (the eventId is in the value):
      // a learner reading history.jsonl sees how the log is keyed.
      const records: BurstRecord[] = actions.map((a) => ({ id: a.userId, key: a.userId, value: { ...a } }));
      await kafka.produceBurst(actionsTopic, ACTIONS, records);
    };
    /** One action for every user, interleaved; `late` users get an action synced late. */
    const burst = (opts: { late?: (u: number) => boolean; last?: boolean; overRemove?: boolean } = {}) =>
      send(users.map((userId, u) => script.next(userId, { late: opts.late?.(u) ?? false, last: opts.last ?? false, overRemove: opts.overRemove ?? false })));

    // Before the program starts: every user signed up, put something in the cart, changed an email.
    await send(users.flatMap((userId) => [script.next(userId), script.next(userId), script.next(userId)]));

    let whileDownSent = false;
    ctx.registerProbe('while-down-sent', async () => whileDownSent);

    // The lab's follower of the snapshot topic: every record, as the program published it.
    const follower = kafka.kafka.consumer({ groupId: kafka.name('lab-state-reader'), maxWaitTimeInMs: 100, sessionTimeout: 6_000, heartbeatInterval: 500 });
    let following = false;
    const follow = async () => {
      if (following) return;
      following = true;
      await follower.connect();
      ctx.defer(() => follower.disconnect());
      await follower.subscribe({ topic: stateTopic, fromBeginning: true });
      await follower.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const text = message.value?.toString() ?? '';
          const key = message.key?.toString() ?? null;
          ctx.history.record({ process: 'lab', kind: 'consume', outcome: 'ok', stream: STATE, ...(key === null ? {} : { key }), partition, offset: message.offset, value: { key, state: jsonObject(text) ?? text } });
        },
      });
    };

    const snapshots = () => snapshotRecords(ctx.history.history, STATE);
    /** Users whose latest snapshot differs from the fold of what the lab appended so far. */
    const usersBehind = (): string[] => {
      const latest = latestByKey(snapshots());
      return [...userHistories(ctx.history.history, ACTIONS)].filter(([userId, logged]) => {
        const state = latest.get(userId)?.state;
        return !state || stateDifferences(foldUser(userId, logged.map((l) => l.action)), state).length > 0;
      }).map(([userId]) => userId);
    };
    /** Members of the program's group now, and whether it is stable. */
    const group = async () => {
      const sample = await kafka.sampleGroup(groupId, actionsTopic, 1).catch(() => undefined);
      return { stable: sample?.state === 'Stable', members: (sample?.members ?? []).map((m) => m.memberId) };
    };
    /** Waits until every user's snapshot is right, or no snapshot came for `quietMs`. */
    const caughtUp = async (quietMs: number, boundMs: number) => {
      let count = -1;
      let since = Date.now();
      await waitUntil(() => {
        const now = snapshots().length;
        if (now !== count) [count, since] = [now, Date.now()];
        return usersBehind().length === 0 || Date.now() - since >= quietMs;
      }, boundMs, ctx.signal, 50);
    };

    return {
      env: { ...kafka.env(), USER_ACTIONS_TOPIC: actionsTopic, USER_STATE_TOPIC: stateTopic, GROUP_ID: groupId, REPLICATION_FACTOR: String(replicationFactor) },
      async awaitReady() {
        const deadline = Date.now() + ctx.timeouts.readyMs;
        const exists = async () => (await kafka.admin.listTopics()).includes(stateTopic);
        if (!(await waitUntil(exists, ctx.timeouts.readyMs, ctx.signal, 200))) {
          throw new LearnerNotReadyError(
            `within ${ctx.timeouts.readyMs / 1000}s your program did not create the snapshot topic ${stateTopic}. The lab's Kafka has auto.create.topics.enable=false: producing to a topic that does not exist fails`,
            'At start-up, create USER_STATE_TOPIC with the admin API (kafkajs admin.createTopics; confluent-kafka AdminClient.create_topics): 3 partitions, replication factor REPLICATION_FACTOR, cleanup.policy=compact. It exists already when your program starts again: skip it then.',
          );
        }
        await follow();
        // Ready: in its group, and publishing (whatever its keys: state-rebuilt judges them).
        const ready = async () => snapshots().length > 0 && (await group()).members.length > 0;
        if (await waitUntil(ready, Math.max(0, deadline - Date.now()), ctx.signal, 200)) return;
        if ((await group()).members.length === 0) {
          throw new LearnerNotReadyError(
            `the snapshot topic exists, but no consumer joined the group "${kafka.baseOf(groupId)}" within ${ctx.timeouts.readyMs / 1000}s`,
            'Consume USER_ACTIONS_TOPIC in the consumer group GROUP_ID (kafkajs: kafka.consumer({ groupId: GROUP_ID, ...config.groupTimings }); confluent-kafka: "group.id": GROUP_ID): the lab watches the group to know your program is listening.',
          );
        }
        throw new LearnerNotReadyError(
          `your program joined its group, but published no user's state to ${stateTopic} within ${ctx.timeouts.readyMs / 1000}s, though ${users.length} users already had actions on ${ACTIONS}`,
          'Read USER_ACTIONS_TOPIC from the beginning, fold each action into its user\'s state and publish the state to USER_STATE_TOPIC, keyed by the user id, as JSON. A compacted topic refuses a record without a key (kafkajs: "Compacted topic cannot accept message without key"; librdkafka: a delivery error): look for errors in your producer\'s sends.',
        );
      },
      async run() {
        ctx.progress(`appending the actions of ${users.length} users to ${ACTIONS}; your program will be killed and started again`);
        const liveFrom = Date.now();
        for (let b = 0; b < o.liveBursts && !ctx.signal.aborted; b++) {
          await burst({ overRemove: b === o.liveBursts - 1 });
          await sleep(o.pauseMs, ctx.signal);
        }
        await caughtUp(o.caughtUpQuietMs, 5_000);
        // Past the client's auto-commit interval: an auto-commit must have happened before the kill.
        await sleep(Math.max(0, liveFrom + o.liveMinMs - Date.now()), ctx.signal);
        const before = new Set((await group()).members);
        await ctx.phase('kill');
        // While the program is down: every user gets actions it must fold in when it is back.
        for (let b = 0; b < o.whileDownBursts && !ctx.signal.aborted; b++) await burst();
        whileDownSent = true;
        await ctx.faultsSettled();
        // Back: the restarted copy is a member of the group (not the killed one's membership).
        const back = async () => {
          const { stable, members } = await group();
          return stable && members.length > 0 && members.every((m) => !before.has(m));
        };
        if (!(await waitUntil(back, ctx.timeouts.readyMs, ctx.signal, 100)) && !ctx.signal.aborted) {
          // The killed copy's membership holds the group until its session times out: with a
          // long session timeout the restarted program joins long after the lab moved on.
          recordLearnerEvent(ctx.history, ctx.learners.get(1).name, {
            event: 'not-ready',
            reason: `started again after the kill, your program was not back in the group "${kafka.baseOf(groupId)}" within ${ctx.timeouts.readyMs / 1000}s`,
            hint: 'The killed program\'s membership stays in the group until its session times out, and the restarted one cannot join before: kafkajs\'s default session timeout is 30 s. Pass ...config.groupTimings to kafka.consumer (confluent-kafka: "session.timeout.ms": 2000, "heartbeat.interval.ms": 200), and consume in GROUP_ID at every start.',
          });
        }
        await sleep(o.backMarginMs, ctx.signal);
        await ctx.phase('back');
        for (let b = 0; b < o.afterBursts && !ctx.signal.aborted; b++) {
          const lastBurst = b === o.afterBursts - 1;
          // A phone synced late: in the first burst after the restart, every other user's action is 90 s old.
          await burst({ late: (u) => b === 0 && u % 2 === 1, last: lastBurst });
          if (!lastBurst) await sleep(o.pauseMs, ctx.signal);
        }
        await drain(ctx, { done: () => usersBehind().length === 0, progress: () => String(snapshots().length), quietMs: o.quietMs, intervalMs: 100 });
      },
      async collect() {
        const state = await retrying(() => topicState(kafka, ConfigResourceTypes.TOPIC, STATE, 'final', ['cleanup.policy']));
        // The scenario's spec says replication 1 (the lab's Kafka); a shared cluster asked for its own.
        recordObservation(ctx.history, 'kafka-topic-state', replicationFactor === 1 ? state : { ...state, askedReplicationFactor: replicationFactor });
      },
    };
  },
};
