/**
 * Given code for this exercise: where things are, the job and event formats, and the calls
 * to the lab's two APIs. You don't need to change this file.
 */
import { Redis } from 'ioredis';

/** A job as the lab pushes it on JOBS_QUEUE (a JSON string, one list item per job). */
export interface Job {
  jobId: string;
  kind: string;
  input: string;
}

/** An event as the lab publishes it on EVENTS_CHANNEL (JSON). */
export interface AppEvent {
  eventId: string;
  type: string;
  user: string;
}

const instanceId = process.env.INSTANCE_ID ?? '1';
const processingPrefix = process.env.PROCESSING_PREFIX ?? 'processing:';
const heartbeatPrefix = process.env.HEARTBEAT_PREFIX ?? 'heartbeat:';

/** Where things are: the lab sets these for every run (one copy of your program each). */
export const config = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** The work queue: a Redis list the lab LPUSHes jobs onto. */
  jobsQueue: process.env.JOBS_QUEUE ?? 'jobs',
  /** Copy N's processing list is processingPrefix + N. */
  processingPrefix,
  /** Copy N's heartbeat key is heartbeatPrefix + N. */
  heartbeatPrefix,
  heartbeatTtlMs: Number(process.env.HEARTBEAT_TTL_MS ?? 1_000),
  /** The Pub/Sub channel the lab publishes events on. */
  eventsChannel: process.env.EVENTS_CHANNEL ?? 'events',
  jobsApiUrl: process.env.JOBS_API_URL ?? 'http://127.0.0.1:8080',
  auditApiUrl: process.env.AUDIT_API_URL ?? 'http://127.0.0.1:8081',
  /** Which copy of your program this is: "1", "2" or "3". */
  instanceId,
  /** This copy's own processing list and heartbeat key. */
  processingList: `${processingPrefix}${instanceId}`,
  heartbeatKey: `${heartbeatPrefix}${instanceId}`,
};

/**
 * A new Redis connection, once it is ready for commands. Use one for the blocking BLMOVE, one
 * for the subscription and one for everything else. (Waiting for "ready" matters for the
 * subscription: ioredis can fail a SUBSCRIBE sent while the connection is still in its
 * handshake, with "Connection in subscriber mode".)
 */
export async function connect(): Promise<Redis> {
  const redis = new Redis(config.redisUrl, { lazyConnect: true });
  await redis.connect();
  return redis;
}

async function post(url: string, body: unknown): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-instance-id': config.instanceId },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch (error) {
    console.error(`POST ${url} failed:`, error);
    return false;
  }
}

/** Does the job: asks the lab's jobs API to run it. True when it answered 200 (done); a
 *  job usually takes tens of milliseconds, some take seconds. Never throws. */
export function doJob(job: Job): Promise<boolean> {
  return post(`${config.jobsApiUrl}/jobs`, job);
}

/** Tells the lab's audit API that this copy saw the event. True on 200. Never throws. */
export function reportSeen(event: AppEvent): Promise<boolean> {
  return post(`${config.auditApiUrl}/seen`, { eventId: event.eventId, instance: Number(config.instanceId) });
}
