/**
 * Wrong solution: names its processing list PROCESSING_PREFIX + "worker-" + INSTANCE_ID
 * ("more readable") instead of PROCESSING_PREFIX + INSTANCE_ID. Its reaper reads the owner from
 * a list's name, gets "worker-2", finds no heartbeat key HEARTBEAT_PREFIX + "worker-2", and
 * takes jobs from copies that are alive and working on them.
 * Must trip: done-once (wrong-list-name).
 */
import { type AppEvent, type Job, config, connect, doJob, reportSeen } from '../../../labs/redis-work-queue/lab.js';

const redis = await connect();
const subscriber = await connect();
const blocking = await connect();
const myList = `${config.processingPrefix}worker-${config.instanceId}`;

subscriber.on('message', (_channel: string, message: string) => {
  const event = JSON.parse(message) as AppEvent;
  void reportSeen(event);
});
await subscriber.subscribe(config.eventsChannel);

async function beat(): Promise<void> {
  try {
    await redis.set(config.heartbeatKey, 'alive', 'PX', config.heartbeatTtlMs);
  } catch (e) {
    console.error('heartbeat failed', e);
  }
}
await beat();
setInterval(() => void beat(), config.heartbeatTtlMs / 4);

let reaping = false;
async function reap(): Promise<void> {
  if (reaping) return;
  reaping = true;
  try {
    const stream = redis.scanStream({ match: `${config.processingPrefix}*`, count: 100 });
    const lists: string[] = [];
    for await (const keys of stream) lists.push(...(keys as string[]));
    for (const list of new Set(lists)) {
      if (list === myList) continue;
      const owner = list.slice(config.processingPrefix.length);
      if ((await redis.exists(config.heartbeatPrefix + owner)) !== 0) continue;
      while ((await redis.lmove(list, config.jobsQueue, 'RIGHT', 'RIGHT')) !== null) {
        /* moved one back */
      }
    }
  } catch (e) {
    console.error('reaper failed', e);
  } finally {
    reaping = false;
  }
}
setInterval(() => void reap(), 250);

for (;;) {
  const raw = await blocking.blmove(config.jobsQueue, myList, 'RIGHT', 'LEFT', 1);
  if (raw === null) continue;
  const job = JSON.parse(raw) as Job;
  if (await doJob(job)) {
    await redis.lrem(myList, 1, raw);
  }
}
