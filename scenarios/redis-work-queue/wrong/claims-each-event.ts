/**
 * Wrong solution: the job side is right, but events are handled like jobs. "Three copies
 * reporting the same event is a duplicate", so each copy first claims the event with
 * SET NX and only the winner reports it. Pub/Sub is meant to reach every subscriber: each
 * event now reaches one copy.
 * Must trip: fan-out (one-copy-per-event).
 */
import { type AppEvent, type Job, config, connect, doJob, reportSeen } from '../../../labs/redis-work-queue/lab.js';

const redis = await connect();
const blocking = await connect();
const subscriber = await connect();

subscriber.on('message', (_channel: string, message: string) => {
  const event = JSON.parse(message) as AppEvent;
  void (async () => {
    const first = await redis.set(`${config.eventsChannel}:claimed:${event.eventId}`, config.instanceId, 'PX', 60_000, 'NX');
    if (first === 'OK') await reportSeen(event);
  })();
});

const beat = () => redis.set(config.heartbeatKey, 'alive', 'PX', config.heartbeatTtlMs);
await beat();
setInterval(() => void beat(), config.heartbeatTtlMs / 4);

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
  const raw = await blocking.blmove(config.jobsQueue, config.processingList, 'RIGHT', 'LEFT', 1);
  if (raw === null) continue;
  if (await doJob(JSON.parse(raw) as Job)) await redis.lrem(config.processingList, 1, raw);
}
