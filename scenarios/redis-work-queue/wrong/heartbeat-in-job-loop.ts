/**
 * Wrong solution: the heartbeat is refreshed in the job loop, once before each job, instead of
 * on a timer of its own. A job that takes longer than the heartbeat's TTL outlives it: the
 * copy is alive and busy, but to the other copies' reapers it looks dead, so they move its
 * job back to the queue and another copy does it again.
 * Must trip: done-once (heartbeat-lapsed).
 */
import { type AppEvent, type Job, config, connect, doJob, reportSeen } from '../../../labs/redis-work-queue/lab.js';

const redis = await connect();
const blocking = await connect();
const subscriber = await connect();

subscriber.on('message', (_channel: string, message: string) => {
  void reportSeen(JSON.parse(message) as AppEvent);
});

async function reap(): Promise<void> {
  const [, lists] = await redis.scan('0', 'MATCH', `${config.processingPrefix}*`, 'COUNT', 1000);
  for (const list of lists) {
    const owner = list.slice(config.processingPrefix.length);
    if (list === config.processingList || (await redis.exists(`${config.heartbeatPrefix}${owner}`)) === 1) continue;
    while ((await redis.lmove(list, config.jobsQueue, 'RIGHT', 'RIGHT')) !== null);
  }
}
setInterval(() => void reap().catch(() => {}), 250);

await subscriber.subscribe(config.eventsChannel);

for (;;) {
  // "I'm alive": refreshed every time this copy comes back for a job.
  await redis.set(config.heartbeatKey, 'alive', 'PX', config.heartbeatTtlMs);
  const raw = await blocking.blmove(config.jobsQueue, config.processingList, 'RIGHT', 'LEFT', 0.5);
  if (raw === null) continue;
  if (await doJob(JSON.parse(raw) as Job)) await redis.lrem(config.processingList, 1, raw);
}
