/**
 * Redis with ioredis: Pub/Sub (week 1's notifier) published one at a time and pipelined, and a
 * Stream (week 7) appended to in pipelines and read with XREAD. Channels and stream keys are
 * named "<namespace>:<variant>-<size>"; the stream keys are deleted at the end.
 */
import type { Redis } from 'ioredis';
import { deleteKeys as deleteKeysMatching } from '../namespaces/redis.js';

/** ioredis, loaded by open(): every brokerlab command imports this module, few run a bench. */
let RedisClient: typeof import('ioredis').Redis | undefined;
import type { BrokerBench, Pipe, Session, Variant } from './types.js';

export const PIPELINE = 100;

const VARIANTS = [
  { id: 'pubsub-one-by-one', label: 'Pub/Sub, one PUBLISH per round trip', batch: 1 },
  { id: 'pubsub-pipeline', label: `Pub/Sub, pipeline of ${PIPELINE} PUBLISH per round trip`, batch: PIPELINE },
  { id: 'stream-pipeline', label: `Stream, pipeline of ${PIPELINE} XADD, read with XREAD`, batch: PIPELINE },
] as const satisfies readonly Variant[];

/** How long one XREAD blocks waiting for entries; also bounds how long stop() takes. */
const XREAD_BLOCK_MS = 200;

/** A pipeline reports each command's error in its result instead of rejecting. */
async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<void> {
  for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
}

function connect(url: string): Redis {
  if (!RedisClient) throw new Error('redis bench: open() loads the client first');
  const client = new RedisClient(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {}); // surfaced by the next command instead
  return client;
}

export const redisBench: BrokerBench<'redis'> = {
  name: 'redis',
  label: 'Redis',
  client: 'ioredis',
  variants: VARIANTS,
  defaultMessages: 10_000,

  async open(endpoint, namespace): Promise<Session> {
    RedisClient ??= (await import('ioredis')).Redis;
    const publisher = connect(endpoint.url);
    const deleteKeys = async (): Promise<void> => void (await deleteKeysMatching(publisher, `${namespace}*`));
    return {
      async start(variant, size, onDelivered): Promise<Pipe> {
        const name = `${namespace}:${variant.id}-${size}`;
        if (variant.id === 'stream-pipeline') return streamPipe(endpoint.url, publisher, name, onDelivered);
        let subscriber: Redis | undefined;
        if (onDelivered) {
          subscriber = connect(endpoint.url);
          subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => onDelivered(message));
          await subscriber.subscribe(name);
        }
        return {
          async send(payloads) {
            if (payloads.length === 1) {
              await publisher.publish(name, payloads[0]!);
              return;
            }
            const pipeline = publisher.pipeline();
            for (const payload of payloads) pipeline.publish(name, payload);
            await execOrThrow(pipeline);
          },
          async flush() {},
          async stop() {
            subscriber?.disconnect();
          },
        };
      },
      async close() {
        try {
          await deleteKeys();
        } finally {
          publisher.disconnect();
        }
      },
    };
  },
};

function streamPipe(url: string, publisher: Redis, key: string, onDelivered?: (body: Buffer) => void): Pipe {
  let reading = true;
  let reader: Promise<void> = Promise.resolve();
  let readerClient: Redis | undefined;
  if (onDelivered) {
    const client = connect(url);
    readerClient = client;
    reader = (async () => {
      let lastId = '0';
      while (reading) {
        const batches = (await client.xreadBuffer('COUNT', 1000, 'BLOCK', XREAD_BLOCK_MS, 'STREAMS', key, lastId)) as
          | Array<[Buffer, Array<[Buffer, Buffer[]]>]>
          | null;
        for (const [, entries] of batches ?? []) {
          for (const [id, fields] of entries) {
            lastId = id.toString();
            const body = fields[1];
            if (body) onDelivered(body);
          }
        }
      }
    })().catch(() => {}); // a reader that fails shows up as lost messages
  }
  return {
    async send(payloads) {
      const pipeline = publisher.pipeline();
      for (const payload of payloads) pipeline.xadd(key, '*', 'm', payload);
      await execOrThrow(pipeline);
    },
    async flush() {},
    async stop() {
      reading = false;
      await reader;
      readerClient?.disconnect();
    },
  };
}
