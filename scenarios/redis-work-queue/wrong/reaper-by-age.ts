/**
 * Wrong solution: the reaper decides by age, like a visibility timeout, instead of by
 * heartbeat: a job found in another copy's processing list on two rounds in a row (half a
 * second apart) is "stuck" and goes back to the queue. The copies do keep heartbeats, but
 * the reaper never looks at them. A job that takes longer than that is taken from a copy
 * that is alive and still working on it, and done twice.
 * Must trip: done-once (reaped-despite-heartbeat).
 */
import { type AppEvent, type Job, config, connect, doJob, reportSeen } from '../../../labs/redis-work-queue/lab.js';

const redis = await connect();
const blocking = await connect();
const subscriber = await connect();

subscriber.on('message', (_channel: string, message: string) => {
  void reportSeen(JSON.parse(message) as AppEvent);
});

const beat = () => redis.set(config.heartbeatKey, 'alive', 'PX', config.heartbeatTtlMs);
await beat();
setInterval(() => void beat(), config.heartbeatTtlMs / 4);

let seenLastRound = new Set<string>();
async function reap(): Promise<void> {
  const seen = new Set<string>();
  const [, lists] = await redis.scan('0', 'MATCH', `${config.processingPrefix}*`, 'COUNT', 1000);
  for (const list of lists) {
    if (list === config.processingList) continue;
    // A copy holds one job at a time: the oldest one in its list is the one it works on.
    const oldest = await redis.lindex(list, -1);
    if (oldest === null) continue;
    seen.add(`${list} ${oldest}`);
    // Still there since the last round: stuck, put it back at the end of the line.
    if (seenLastRound.has(`${list} ${oldest}`)) await redis.lmove(list, config.jobsQueue, 'RIGHT', 'LEFT');
  }
  seenLastRound = seen;
}
setInterval(() => void reap().catch(() => {}), 500);

await subscriber.subscribe(config.eventsChannel);

for (;;) {
  const raw = await blocking.blmove(config.jobsQueue, config.processingList, 'RIGHT', 'LEFT', 1);
  if (raw === null) continue;
  if (await doJob(JSON.parse(raw) as Job)) await redis.lrem(config.processingList, 1, raw);
}
