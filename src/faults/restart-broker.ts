/**
 * restart-broker: the real broker process is stopped and started again mid-run (native: its
 * process, data directory kept; compose: its container). Every connection to it drops, the
 * learner's and the lab's; what survives is what the broker keeps on disk (durable queues,
 * persistent messages, Kafka's log) and what the program restores when it reconnects
 * (subscriptions, consumers). A broker shared by other runs is restarted only by a run that
 * never runs beside another run using that broker (the pool knows: `holds`); an external broker is refused with a clear line.
 *
 * Definitions:
 * - at: a trigger (faults/triggers.ts), not a call: usually a phase the workload enters
 *   when it is ready for the broker to go (it then waits ctx.faultsSettled()).
 * - downMs: how long the broker stays down between stop and start.
 * - keepData (Redis): Redis here keeps nothing on disk; with keepData the lab saves a
 *   snapshot before the stop, so lists and streams survive the restart as they would on a
 *   persistent Redis, and removes it once loaded.
 * - an external PostgreSQL (a CI service container, BROKERLAB_POSTGRES_URL) cannot be
 *   restarted by brokerlab; there the lab ends every connection to the runs' databases
 *   ("bl-...", or the learner's prefix in shared mode) instead, and keeps ending new ones
 *   for downMs: to a client it looks the same as a restart ("terminating connection due to
 *   administrator command"), and tables survive as they would. Other external brokers are
 *   refused with a clear line.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { num, str } from '../checks/types.js';
import { BROKER_NAMES, type BrokerName } from '../brokers/types.js';
import { type Trigger, parseTrigger, whenTriggered } from './triggers.js';
import { UsageError } from '../errors.js';
import type { FaultDefinition } from './types.js';

export interface RestartBrokerParams {
  broker: BrokerName;
  at: Trigger;
  downMs: number;
  keepData: boolean;
}

/** An external PostgreSQL's "restart": its runs' connections ended, again and again for
 *  `downMs` (a client reconnecting meanwhile is ended too). Returns how many were ended. */
async function endPostgresConnections(url: string, downMs: number): Promise<number> {
  const { connectPostgres, endConnections } = await import('../namespaces/postgres.js');
  const { sharedNamespace, NAMESPACE_PREFIX } = await import('../namespaces/names.js');
  const prefix = sharedNamespace()?.prefix ?? NAMESPACE_PREFIX;
  const client = await connectPostgres(url);
  let ended = 0;
  try {
    const until = Date.now() + downMs;
    do {
      ended += await endConnections(client, prefix);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } while (Date.now() < until);
  } finally {
    await client.end().catch(() => {});
  }
  return ended;
}

export const restartBroker: FaultDefinition<RestartBrokerParams> = {
  name: 'restart-broker',
  holds: (params) => [params.broker],
  parseParams(raw) {
    const broker = str(raw, 'broker');
    if (!(BROKER_NAMES as readonly string[]).includes(broker)) throw new Error(`"broker" must be one of ${BROKER_NAMES.join(', ')}`);
    const at = parseTrigger(raw.at);
    if ('call' in at) throw new Error('"at" must be {"produced": N}, {"afterMs": N} or {"phase": "name"} for a broker restart');
    if (raw.keepData !== undefined && typeof raw.keepData !== 'boolean') throw new Error('"keepData" must be true or false');
    return { broker: broker as BrokerName, at, downMs: num(raw, 'downMs', 0), keepData: raw.keepData === true };
  },
  async setup(_ctx, params) {
    // Refused before the learner's program starts, not half-way through the run.
    const { externalRestartRefusal, runtimeKindOf } = await import('../brokers/index.js');
    if (params.broker !== 'postgres' && (await runtimeKindOf(params.broker)) === 'external') throw new UsageError(externalRestartRefusal(params.broker));
  },
  arm(ctx, params, id) {
    const record = (value: Record<string, unknown>) => ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'restart-broker', id, broker: params.broker, ...value } });
    const restart = async (): Promise<void> => {
      const { restartBroker: restartIt, endpointOf, runtimeKindOf } = await import('../brokers/index.js');
      if (params.broker === 'postgres' && (await runtimeKindOf('postgres')) === 'external') {
        record({ phase: 'start', downMs: params.downMs });
        const ended = await endPostgresConnections(endpointOf('postgres').url, params.downMs);
        record({ phase: 'heal', runtime: 'external', connectionsEnded: ended });
        return;
      }
      const { nativeDirs } = await import('../brokers/runtimes/native.js');
      const redisSnapshot = params.keepData && params.broker === 'redis';
      record({ phase: 'start', downMs: params.downMs });
      const result = await restartIt(params.broker, {
        downMs: params.downMs,
        async beforeStop() {
          if (!redisSnapshot) return;
          const { connectRedis } = await import('../namespaces/redis.js');
          const client = await connectRedis(endpointOf('redis').url);
          try {
            await client.save();
          } finally {
            client.disconnect();
          }
        },
        async afterStart() {
          // Loaded at start-up: a later `brokerlab up` must not bring this run's data back.
          if (redisSnapshot) rmSync(path.join(nativeDirs('redis').dataDir, 'dump.rdb'), { force: true });
        },
      });
      record({ phase: 'heal', runtime: result.runtime, stoppedMs: result.stoppedMs, startedMs: result.startedMs });
    };
    if ('call' in params.at) return;
    void whenTriggered(params.at, ctx.history, ctx.signal).then((fired) => {
      if (fired) ctx.track(restart());
    });
  },
};
