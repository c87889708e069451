/**
 * Wrong solution: BLMOVE into a processing list, LREM after the work, a heartbeat on a timer,
 * but no reaper ("the job is safe in the processing list"). Safe, and stuck: when a copy dies
 * nobody moves its processing list back to the queue, so its job is never done.
 * Must trip: reliable-queue (stranded-with-dead-worker) and no-lost-messages (lost-at-kill).
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

await subscriber.subscribe(config.eventsChannel);

for (;;) {
  const raw = await blocking.blmove(config.jobsQueue, config.processingList, 'RIGHT', 'LEFT', 1);
  if (raw === null) continue;
  if (await doJob(JSON.parse(raw) as Job)) await redis.lrem(config.processingList, 1, raw);
}
