/**
 * Week 1: a Redis work queue next to Pub/Sub fan-out. Three copies of this program run at once.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check redis-work-queue
 */
import { type AppEvent, config, connect, doJob, reportSeen } from './lab.js';

// A subscribed connection can only subscribe, and a blocking command (BLMOVE) holds its
// connection while it waits: each gets a connection of its own (connect() from lab.ts).
const redis = await connect();
const subscriber = await connect();

// --- Fan-out: every copy sees every event ---------------------------------------------------
subscriber.on('message', (_channel: string, message: string) => {
  const event = JSON.parse(message) as AppEvent;
  // TODO 1: report the event with reportSeen(event).
  void event;
  void reportSeen;
});
// TODO 2: subscribe to config.eventsChannel.

// --- Heartbeat and reaper -------------------------------------------------------------------
// TODO 3: keep this copy's heartbeat key (config.heartbeatKey) alive: SET it with a TTL of
//         config.heartbeatTtlMs, refreshed from a timer several times per TTL.
// TODO 4: a reaper: now and then, for every other copy's processing list
//         (config.processingPrefix + N) whose heartbeat key is gone, move its jobs back to
//         config.jobsQueue, one LMOVE at a time.

// --- Work queue: each job to exactly one copy -----------------------------------------------
// TODO 5: loop: take a job with BLMOVE (on a connection of its own) from config.jobsQueue
//         into config.processingList, do it with doJob(job), and only once that returned
//         true, LREM it from the processing list (the exact string BLMOVE returned).
console.log(`copy ${config.instanceId} started; ${config.jobsQueue} has ${await redis.llen(config.jobsQueue)} jobs waiting`);
void doJob;
