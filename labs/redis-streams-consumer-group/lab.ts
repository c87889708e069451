/**
 * Given code for this exercise: where things are, the activity format, and the call to the
 * lab's activity store. You don't need to change this file.
 */
import { Redis } from 'ioredis';

/** An activity as the lab adds it to ACTIVITY_STREAM: one stream entry, these four fields. */
export interface Activity {
  activityId: string;
  userId: string;
  action: string;
  /** When it happened (ISO 8601). */
  at: string;
}

const instanceId = process.env.INSTANCE_ID ?? '1';
const consumerPrefix = process.env.CONSUMER_PREFIX ?? 'consumer-';

/** Where things are: the lab sets these for every run (one copy of your program each). */
export const config = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** The stream the lab adds activities to (XADD). */
  stream: process.env.ACTIVITY_STREAM ?? 'activity',
  /** The consumer group every copy reads through (the lab creates it before your program starts). */
  group: process.env.GROUP_NAME ?? 'activity-trackers',
  /** This copy's consumer name in the group: CONSUMER_PREFIX + INSTANCE_ID, e.g. "consumer-2". */
  consumer: `${consumerPrefix}${instanceId}`,
  /** Reclaim another consumer's pending entry only once it has been idle this long (ms). */
  minIdleMs: Number(process.env.MIN_IDLE_MS ?? 1_000),
  activityStoreUrl: process.env.ACTIVITY_STORE_URL ?? 'http://127.0.0.1:8080',
  /** Which copy of your program this is: "1", "2" or "3". */
  instanceId,
};

/** A new Redis connection, once it is ready for commands. Use one for the blocking
 *  XREADGROUP and another for everything else (XACK, XAUTOCLAIM). */
export async function connect(): Promise<Redis> {
  const redis = new Redis(config.redisUrl, { lazyConnect: true });
  await redis.connect();
  return redis;
}

/** An entry's field list as Redis returns it (["activityId", "activity-0001", "userId", ...])
 *  as an Activity. */
export function activityFrom(fields: string[]): Activity {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
  return { activityId: map.get('activityId') ?? '', userId: map.get('userId') ?? '', action: map.get('action') ?? '', at: map.get('at') ?? '' };
}

/** Records the activity with the lab's activity store. True when it answered 200 (recorded);
 *  a call takes tens of milliseconds. Never throws. */
export async function recordActivity(activity: Activity): Promise<boolean> {
  try {
    const response = await fetch(`${config.activityStoreUrl}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-instance-id': config.instanceId },
      body: JSON.stringify(activity),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch (error) {
    console.error('recording the activity failed:', error);
    return false;
  }
}
