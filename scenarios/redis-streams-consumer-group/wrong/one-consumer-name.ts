/**
 * Wrong solution: every copy reads as the same consumer, "activity-tracker", instead of
 * CONSUMER_PREFIX + INSTANCE_ID: the group sees one consumer, and nobody can tell which copy
 * holds which pending entry.
 * Must trip: group-pending-empty (consumer-names).
 */
import { activityFrom, config as lab, connect, recordActivity } from '../../../labs/redis-streams-consumer-group/lab.js';

// One name for the whole service: "the tracker".
const config = { ...lab, consumer: 'activity-tracker' };

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

// Reclaim: entries idle for MIN_IDLE_MS belong to a consumer that stopped working on them.
async function reclaim(): Promise<void> {
  let cursor = '0-0';
  do {
    const [next, entries] = (await redis.xautoclaim(config.stream, config.group, config.consumer, config.minIdleMs, cursor, 'COUNT', 10)) as [string, Array<[string, string[]] | null>];
    cursor = next;
    for (const entry of entries) {
      if (!entry) continue; // deleted from the stream meanwhile
      console.log(`reclaimed ${entry[0]}`);
      await handle(entry[0], entry[1]);
    }
  } while (cursor !== '0-0');
}
void (async () => {
  for (;;) {
    await reclaim().catch((error: unknown) => console.error('reclaim failed:', error));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
})();

// New entries for this consumer, up to 10 at a time, one after the other.
for (;;) {
  const reply = (await reader.xreadgroup('GROUP', config.group, config.consumer, 'COUNT', 10, 'BLOCK', 1000, 'STREAMS', config.stream, '>')) as Array<[string, Array<[string, string[]]>]> | null;
  for (const [, entries] of reply ?? []) {
    for (const [id, fields] of entries) await handle(id, fields);
  }
}
