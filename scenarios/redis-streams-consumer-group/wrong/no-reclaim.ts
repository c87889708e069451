/**
 * Wrong solution: reads new entries with > and acks after the work, but never reclaims: when
 * a copy dies, the entries it had read stay pending with it for ever (XREADGROUP > never
 * delivers them again).
 * Must trip: no-lost-messages (lost-at-kill) and group-pending-empty (stranded-with-dead-consumer).
 */
import { activityFrom, config, connect, recordActivity } from '../../../labs/redis-streams-consumer-group/lab.js';

const redis = await connect(); // XACK, XAUTOCLAIM
const reader = await connect(); // XREADGROUP BLOCK holds its connection while it waits

// The lab created the group; creating it again is harmless (BUSYGROUP).
await redis.xgroup('CREATE', config.stream, config.group, '0', 'MKSTREAM').catch((error: unknown) => {
  if (!String(error).includes('BUSYGROUP')) throw error;
});

/** Records the activity, then acknowledges the entry: never the other way round. A failed
 *  call leaves the entry pending, so it is reclaimed and tried again once idle. */
async function handle(id: string, fields: string[]): Promise<void> {
  if (await recordActivity(activityFrom(fields))) await redis.xack(config.stream, config.group, id);
}

// New entries for this consumer, up to 10 at a time, one after the other.
for (;;) {
  const reply = (await reader.xreadgroup('GROUP', config.group, config.consumer, 'COUNT', 10, 'BLOCK', 1000, 'STREAMS', config.stream, '>')) as Array<[string, Array<[string, string[]]>]> | null;
  for (const [, entries] of reply ?? []) {
    for (const [id, fields] of entries) await handle(id, fields);
  }
}
