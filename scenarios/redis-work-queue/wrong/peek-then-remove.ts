/**
 * Wrong solution: reads the oldest job with LINDEX, does it, and removes it with LREM only
 * afterwards ("then a crash mid-job cannot lose it"). True, but while one copy works on the
 * job it is still in the queue, and the other copies read the very same job: a check-then-act
 * race between copies.
 * Must trip: done-once (taken-by-two).
 */
import { type AppEvent, type Job, config, connect, doJob, reportSeen } from '../../../labs/redis-work-queue/lab.js';

const redis = await connect();
const subscriber = await connect();

subscriber.on('message', (_channel: string, message: string) => {
  void reportSeen(JSON.parse(message) as AppEvent);
});
await subscriber.subscribe(config.eventsChannel);

for (;;) {
  const raw = await redis.lindex(config.jobsQueue, -1); // the oldest job (the lab LPUSHes)
  if (raw === null) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    continue;
  }
  if (await doJob(JSON.parse(raw) as Job)) await redis.lrem(config.jobsQueue, 1, raw);
}
