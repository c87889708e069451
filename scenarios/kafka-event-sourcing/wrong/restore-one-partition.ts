/**
 * Wrong: restore and continue, but the restore reads only partition 0 of the 3-partition
 * snapshot topic (the learner assumed one partition): after the restart the users whose
 * snapshots are on the other partitions start from empty states, and the program goes on from
 * its committed offsets. (Written by an independent learner from the README alone.)
 */
// Restore-and-continue design, eachBatch, batched sends, commit after the snapshots are written.
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { type UserAction, type UserState, config, emptyState } from '../../../labs/kafka-event-sourcing/users.js';

type Stored = UserState & { lastOffset: string };
const kafka = new Kafka({ clientId: 'user-state-builder-2', ...config.kafkaClient, logLevel: logLevel.ERROR });

const fold = (s: Stored, a: UserAction, offset: string): Stored => {
  const cart = { ...s.cart };
  let { email, plan, status } = s;
  if (a.type === 'signed-up') { email = a.email!; plan = a.plan!; status = 'active'; }
  else if (a.type === 'email-changed') email = a.email!;
  else if (a.type === 'plan-changed') plan = a.plan!;
  else if (a.type === 'item-added') cart[a.sku!] = (cart[a.sku!] || 0) + a.quantity!;
  else if (a.type === 'item-removed') {
    const left = (cart[a.sku!] || 0) - a.quantity!;
    if (left > 0) cart[a.sku!] = left; else delete cart[a.sku!];
  } else if (a.type === 'deactivated') status = 'deactivated';
  return { userId: s.userId, email, plan, status, cart, version: s.version + 1, lastOffset: offset };
};

const admin = kafka.admin();
await admin.connect();
try {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: config.userStateTopic, numPartitions: 3, replicationFactor: config.replicationFactor,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
  });
} catch (e) { if ((e as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw e; }

// 1. restore: read USER_STATE_TOPIC to its end
const states = new Map<string, Stored>();
const ends = await admin.fetchTopicOffsets(config.userStateTopic);
await admin.disconnect();
// learner assumed the snapshots of interest are on partition 0
const pending = new Map(ends.filter((p) => p.partition === 0 && BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
if (pending.size > 0) {
  const restorer: Consumer = kafka.consumer({ groupId: `${config.groupId}.restore.${process.pid}.${Date.now()}`, ...config.groupTimings });
  await restorer.connect();
  await restorer.subscribe({ topic: config.userStateTopic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void restorer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (partition === 0 && message.key && message.value) {
          const s = JSON.parse(message.value.toString()) as Stored;
          states.set(message.key.toString(), s);
        }
        const end = pending.get(partition);
        if (end !== undefined && BigInt(message.offset) + 1n >= end) pending.delete(partition);
        if (pending.size === 0) resolve();
      },
    });
  });
  await restorer.disconnect();
}
console.log(`restored ${states.size} states`);

// 2. continue from committed offsets
const producer = kafka.producer({ idempotent: true });
await producer.connect();
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
await consumer.connect();
await consumer.subscribe({ topic: config.userActionsTopic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachBatchAutoResolve: false,
  eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
    const out = new Map<string, Stored>();
    let last: string | undefined;
    for (const m of batch.messages) {
      if (!isRunning() || isStale()) break;
      const a = JSON.parse(m.value!.toString()) as UserAction;
      const cur = states.get(a.userId) ?? { ...emptyState(a.userId), lastOffset: '-1' };
      if (BigInt(cur.lastOffset ?? '-1') < BigInt(m.offset)) {
        const next = fold(cur, a, m.offset);
        states.set(a.userId, next);
        out.set(a.userId, next);
      }
      last = m.offset;
    }
    if (last === undefined) return;
    if (out.size > 0) {
      await producer.send({ topic: config.userStateTopic,
        messages: [...out.values()].map((s) => ({ key: s.userId, value: JSON.stringify(s) })) });
    }
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
    await heartbeat();
  },
});

process.on('SIGTERM', async () => {
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  process.exit(0);
});
