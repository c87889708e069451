/**
 * Your activity tracker: one copy of this program runs per INSTANCE_ID (three in all), each a
 * consumer in the group GROUP_NAME on ACTIVITY_STREAM. See README.md for the task.
 *
 * As given, it reads new entries and records them, but:
 * - TODO 1: it never acknowledges an entry (XACK), so the group's pending entries list only grows;
 * - TODO 2: it never reclaims the entries of a consumer that died (XAUTOCLAIM after MIN_IDLE_MS).
 */
import { activityFrom, config, connect, recordActivity } from './lab.js';

const redis = await connect(); // XACK, XAUTOCLAIM
const reader = await connect(); // XREADGROUP BLOCK holds its connection while it waits

async function handle(id: string, fields: string[]): Promise<void> {
  const recorded = await recordActivity(activityFrom(fields));
  // TODO 1: once it is recorded (and only then), acknowledge entry `id` in the group.
  void recorded;
  void redis;
}

// TODO 2: every few hundred milliseconds, claim the entries another consumer has left idle
// for at least config.minIdleMs (XAUTOCLAIM), and handle them like new ones.

for (;;) {
  const reply = (await reader.xreadgroup('GROUP', config.group, config.consumer, 'COUNT', 10, 'BLOCK', 1000, 'STREAMS', config.stream, '>')) as Array<[string, Array<[string, string[]]>]> | null;
  for (const [, entries] of reply ?? []) {
    for (const [id, fields] of entries) await handle(id, fields);
  }
}
