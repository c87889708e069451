/**
 * Redis for one run: names under the run's namespace ("<namespace>:<base>", inside the
 * learner's prefix on a shared cluster), a command connection and a subscriber connection of
 * the lab's own, and every key under the namespace deleted afterwards, whatever the learner's
 * program created.
 */
import type { Redis } from 'ioredis';
import { scopedNamespace } from '../../namespaces/names.js';
import { connectRedis, deleteKeys } from '../../namespaces/redis.js';
import type { WorkloadContext } from '../types.js';

export interface RedisRun {
  url: string;
  namespace: string;
  /** A key or channel of this run. */
  name(base: string): string;
  /** The lab's command connection. */
  client: Redis;
  /** Subscribes the lab's listener connection to a channel; `onMessage` gets each message. */
  listen(channel: string, onMessage: (message: string) => void): Promise<void>;
  /** PUBSUB NUMSUB: how many clients subscribe to the channel now. */
  subscribers(channel: string): Promise<number>;
  /** PUBSUB NUMPAT: how many pattern subscriptions the server has now (all clients). */
  patternSubscriptions(): Promise<number>;
}

export async function openRedis(ctx: WorkloadContext): Promise<RedisRun> {
  const url = ctx.endpoints.redis?.url;
  if (!url) throw new Error('redis endpoint missing');
  const namespace = scopedNamespace(ctx.namespace, ctx.shared, ':');
  const client = await connectRedis(url);
  ctx.defer(() => client.disconnect());
  let listener: Redis | undefined;
  const handlers = new Map<string, (message: string) => void>();
  // Cleanups run in reverse: the keys go first, then the connections close.
  ctx.defer(() => deleteKeys(client, `${namespace}:*`));
  return {
    url,
    namespace,
    name: (base) => `${namespace}:${base}`,
    client,
    async listen(channel, onMessage) {
      if (!listener) {
        const connection = await connectRedis(url);
        ctx.defer(() => connection.disconnect());
        connection.on('message', (from: string, message: string) => handlers.get(from)?.(message));
        listener = connection;
      }
      handlers.set(channel, onMessage);
      await listener.subscribe(channel);
    },
    async subscribers(channel) {
      const reply = (await client.pubsub('NUMSUB', channel)) as [string, number];
      return Number(reply[1]);
    },
    async patternSubscriptions() {
      return Number(await client.pubsub('NUMPAT'));
    },
  };
}
