/**
 * Reference solution: every copy subscribes and reports every event (fan-out); jobs move with
 * BLMOVE into this copy's processing list and leave it (LREM, the exact string) only after the
 * jobs API said 200; a heartbeat on its own timer; a reaper that moves the processing list of a
 * copy whose heartbeat is gone back to the queue, one LMOVE at a time.
 */
import { type AppEvent, type Job, config, connect, doJob, reportSeen } from '../../../labs/redis-work-queue/lab.js';

const redis = await connect(); // heartbeat, reaper, LREM
const blocking = await connect(); // BLMOVE blocks its connection while it waits
const subscriber = await connect(); // a subscribed connection can only subscribe

// Fan-out: each copy reports every event it receives.
subscriber.on('message', (_channel: string, message: string) => {
  void reportSeen(JSON.parse(message) as AppEvent);
});

// Heartbeat first, so no reaper mistakes this copy for a dead one once it holds a job.
const beat = () => redis.set(config.heartbeatKey, 'alive', 'PX', config.heartbeatTtlMs);
await beat();
setInterval(() => void beat().catch((error: unknown) => console.error('heartbeat failed:', error)), config.heartbeatTtlMs / 4);

async function reap(): Promise<void> {
  let cursor = '0';
  do {
    const [next, lists] = await redis.scan(cursor, 'MATCH', `${config.processingPrefix}*`, 'COUNT', 100);
    cursor = next;
    for (const list of lists) {
      if (list === config.processingList) continue;
      const owner = list.slice(config.processingPrefix.length);
      if ((await redis.exists(`${config.heartbeatPrefix}${owner}`)) === 1) continue;
      // Its owner is dead: every job it held goes back to the queue, where the next BLMOVE
      // (which takes from the right) finds it first.
      while ((await redis.lmove(list, config.jobsQueue, 'RIGHT', 'RIGHT')) !== null) {
        console.log(`moved a job of dead copy ${owner} back to the queue`);
      }
    }
  } while (cursor !== '0');
}
void (async () => {
  for (;;) {
    await reap().catch((error: unknown) => console.error('reaper failed:', error));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
})();

await subscriber.subscribe(config.eventsChannel);

// The work queue: one job at a time, each in exactly one copy's hands.
for (;;) {
  const raw = await blocking.blmove(config.jobsQueue, config.processingList, 'RIGHT', 'LEFT', 1);
  if (raw === null) continue;
  const job = JSON.parse(raw) as Job;
  if (await doJob(job)) {
    await redis.lrem(config.processingList, 1, raw);
  } else {
    // Failed: back to the queue for another try, in one step.
    await redis.multi().lrem(config.processingList, 1, raw).rpush(config.jobsQueue, raw).exec();
  }
}
