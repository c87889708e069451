/**
 * RabbitMQ for one run: its own vhost (deleted afterwards with everything in it), or on a
 * shared cluster the learner's one vhost with the run's names prefixed (and exactly what the
 * run added deleted afterwards); one connection of the lab's own; passive declares; confirmed
 * publishes; taking a queue's contents. Everything is cleaned up by the run, always.
 */
import type { Channel, ChannelModel, ConfirmChannel, GetMessage, Options } from 'amqplib';
import { UsageError } from '../../errors.js';
import type { Endpoints } from '../../brokers/types.js';
import { type ManagementApi, createVhost, deleteAddedObjects, deleteVhost, managementApi, vhostObjects } from '../../namespaces/rabbitmq.js';
import { recordObservation } from '../../runner/observations.js';
import { LearnerNotReadyError, type WorkloadContext, waitUntil } from '../types.js';

export interface QueueState {
  messageCount: number;
  consumerCount: number;
}

export interface RabbitRun {
  /** The AMQP URL with the run's vhost: what the learner's program gets. */
  url: string;
  /** Every node's AMQP URL with the run's vhost: one on the single RabbitMQ, three on the
   *  cluster (for a program's RABBITMQ_URLS; `url` is the first, which the lab itself uses). */
  urls: string[];
  vhost: string;
  api: ManagementApi;
  connection: ChannelModel;
  /** A queue or exchange name of this run ("tasks"; "bl-...tasks" in a shared vhost). */
  name(base: string): string;
  /** A passive declare: the queue's counts now, or undefined when it does not exist. */
  probeQueue(queue: string): Promise<QueueState | undefined>;
  /** Publishes and waits for RabbitMQ's confirm. JSON bodies are serialised. */
  publish(exchange: string, routingKey: string, body: Buffer | string | object, options?: Options.Publish): Promise<void>;
  /** Takes every message in the queue now (basic.get, no ack): for after the learner's program stopped. */
  takeAll(queue: string): Promise<GetMessage[]>;
  /** How the learner's program declared a queue (management API), recorded as an observation. */
  recordQueueConfig(role: string, queue: string): Promise<void>;
  /** How the learner's program declared an exchange, recorded as an observation. */
  recordExchangeConfig(role: string, exchange: string): Promise<void>;
  /** For after the program stopped: once RabbitMQ has let go of its consumers (and put back
   *  what they left unacked), how many messages are in the queue, recorded for all-acked
   *  under the name the learner knows the queue by ("QUESTIONS_QUEUE"). */
  recordLeftAfterStop(name: string, queue: string, sent: number): Promise<void>;
}

/** The single RabbitMQ's endpoint, or the cluster's seen as one (node 1's URL first) plus all its URLs. */
function rabbitEndpoint(ctx: WorkloadContext, broker: 'rabbitmq' | 'rabbitmq-cluster'): { rabbit: Endpoints['rabbitmq']; amqpUrls: string[] } {
  if (broker === 'rabbitmq') {
    const rabbit = ctx.endpoints.rabbitmq;
    if (!rabbit) throw new Error('rabbitmq endpoint missing');
    return { rabbit, amqpUrls: [rabbit.amqpUrl] };
  }
  const cluster = ctx.endpoints['rabbitmq-cluster'];
  if (!cluster) throw new Error('rabbitmq-cluster endpoint missing');
  const { amqpUrls, managementUrl, username, password } = cluster;
  return { rabbit: { amqpUrl: amqpUrls[0]!, managementUrl, username, password }, amqpUrls };
}

/**
 * The run's vhost on the single RabbitMQ, or with `{ broker: 'rabbitmq-cluster' }` on the
 * 3-node cluster (a vhost there is the whole cluster's; `urls` has each node's address).
 */
export async function openRabbit(ctx: WorkloadContext, options: { broker?: 'rabbitmq' | 'rabbitmq-cluster' } = {}): Promise<RabbitRun> {
  const { rabbit, amqpUrls } = rabbitEndpoint(ctx, options.broker ?? 'rabbitmq');
  const api = managementApi(rabbit);
  if (ctx.shared && !rabbit.vhost) {
    throw new UsageError('a shared cluster (BROKERLAB_NAMESPACE) gives each learner one RabbitMQ vhost: set BROKERLAB_RABBITMQ_VHOST to yours');
  }
  const vhost = rabbit.vhost ?? ctx.namespace;
  if (rabbit.vhost) {
    const before = await vhostObjects(api, vhost);
    ctx.defer(() => deleteAddedObjects(api, vhost, ctx.namespace, before));
  } else {
    await createVhost(api, vhost, rabbit.username);
    ctx.defer(() => deleteVhost(api, vhost));
  }
  const urls = amqpUrls.map((amqpUrl) => `${amqpUrl.replace(/\/$/, '')}/${encodeURIComponent(vhost)}`);
  const url = urls[0]!;

  // Loaded here, not at the top: only a graded run needs the client.
  const amqp = (await import('amqplib')).default;
  const connection = await amqp.connect(url);
  connection.on('error', () => {}); // surfaced by the next operation instead
  ctx.defer(() => connection.close().catch(() => {}));
  // A publish to an exchange that does not exist closes the channel: the next one opens anew.
  let publisher: ConfirmChannel | undefined;
  const publishChannel = async (): Promise<ConfirmChannel> => {
    if (publisher) return publisher;
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => {});
    // Each publish waiting for its confirm listens for the channel's close: many may wait at once.
    channel.setMaxListeners(0);
    channel.on('close', () => {
      if (publisher === channel) publisher = undefined;
    });
    publisher = channel;
    return channel;
  };

  const probeQueue = async (queue: string): Promise<QueueState | undefined> => {
    // checkQueue closes its channel when the queue is missing, so each probe gets one.
    let channel: Channel | undefined;
    try {
      channel = await connection.createChannel();
      channel.on('error', () => {});
      return await channel.checkQueue(queue);
    } catch {
      return undefined;
    } finally {
      await channel?.close().catch(() => {});
    }
  };

  return {
    url,
    urls,
    vhost,
    api,
    connection,
    // A given vhost outlives runs (and may hold a concurrent run's queues): names carry the run's namespace.
    name: (base) => (rabbit.vhost ? `${ctx.namespace}.${base}` : base),
    probeQueue,
    async publish(exchange, routingKey, body, options = {}) {
      const content = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      const contentType = typeof body === 'object' && !Buffer.isBuffer(body) ? { contentType: 'application/json' } : {};
      const channel = await publishChannel();
      let onClose = () => {};
      try {
        await new Promise<void>((resolve, reject) => {
          onClose = () => reject(new Error(`the channel closed while publishing to "${exchange}" (does it exist?)`));
          channel.once('close', onClose);
          channel.publish(exchange, routingKey, content, { persistent: true, ...contentType, ...options }, (err: unknown) => (err ? reject(err) : resolve()));
        });
      } finally {
        channel.off('close', onClose);
      }
    },
    async recordQueueConfig(role, queue) {
      const { status, json } = await api('GET', `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`);
      const q = (json ?? {}) as { durable?: boolean; type?: string; arguments?: Record<string, unknown> };
      const bound = status === 404 ? [] : (((await api('GET', `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}/bindings`)).json ?? []) as Array<{ source: string; routing_key: string; arguments: Record<string, unknown> }>);
      const bindings = bound.filter((b) => b.source !== '').map((b) => ({ exchange: b.source, key: b.routing_key, arguments: b.arguments ?? {} }));
      recordObservation(ctx.history, 'amqp-queue-config', { role, queue, exists: status !== 404, durable: q.durable === true, type: q.type ?? 'classic', bindings, arguments: q.arguments ?? {} });
    },
    async recordLeftAfterStop(name, queue, sent) {
      const deadline = Date.now() + 5_000;
      let state = await probeQueue(queue);
      while (state && state.consumerCount > 0 && Date.now() < deadline && !ctx.signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        state = await probeQueue(queue);
      }
      if (!state) return;
      recordObservation(ctx.history, 'amqp-left-after-stop', { name, queue, left: state.messageCount, sent });
    },
    async recordExchangeConfig(role, exchange) {
      const { status, json } = await api('GET', `/exchanges/${encodeURIComponent(vhost)}/${encodeURIComponent(exchange)}`);
      const x = (json ?? {}) as { durable?: boolean; type?: string };
      recordObservation(ctx.history, 'amqp-exchange-config', { exchange: role, exists: status !== 404, durable: x.durable === true, type: x.type ?? '' });
    },
    async takeAll(queue) {
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      const taken: GetMessage[] = [];
      try {
        for (;;) {
          const message = await channel.get(queue, { noAck: true });
          if (message === false) break;
          taken.push(message);
        }
      } catch {
        // no such queue (the channel is closed by the broker): nothing (more) to take
      } finally {
        await channel.close().catch(() => {});
      }
      return taken;
    },
  };
}

/**
 * Waits until a queue has at least `count` consumers (every copy of the learner's program
 * consumes it), or throws LearnerNotReadyError naming the queue as the learner knows it.
 * Returns the count seen: fewer later means a copy is down.
 */
export async function awaitConsumers(
  ctx: Pick<WorkloadContext, 'signal' | 'timeouts'>,
  rabbit: Pick<RabbitRun, 'probeQueue'>,
  queue: { name: string; physical: string; count: number; hint: string },
): Promise<number> {
  let seen = 0;
  const ready = await waitUntil(
    async () => {
      seen = (await rabbit.probeQueue(queue.physical))?.consumerCount ?? 0;
      return seen >= queue.count;
    },
    ctx.timeouts.readyMs,
    ctx.signal,
    100,
  );
  if (!ready) {
    throw new LearnerNotReadyError(`${seen} of ${queue.count} copies consumed from "${queue.physical}" (${queue.name}) within ${ctx.timeouts.readyMs / 1000}s`, queue.hint);
  }
  return seen;
}
