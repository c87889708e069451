/**
 * RabbitMQ with amqplib: a durable queue, persistent messages, one consumer acking each
 * message; the producer either fires and forgets (confirms off) or waits for publisher
 * confirms (the broker's "I have it"), keeping at most CONFIRM_WINDOW unconfirmed, as
 * PerfTest's `-c` does. Each run has its own vhost, deleted afterwards with everything in it.
 */
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import type { Endpoints } from '../brokers/types.js';
import { createVhost as createRunVhost, deleteVhost, managementApi } from '../namespaces/rabbitmq.js';
import type { BrokerBench, Pipe, Session, Variant } from './types.js';

/** Unconfirmed publishes allowed in flight with confirms on. */
export const CONFIRM_WINDOW = 100;
/** Unacked deliveries the consumer may hold, so the broker streams instead of waiting per ack. */
const PREFETCH = 500;

const VARIANTS = [
  { id: 'confirms-off', label: 'persistent messages, publisher confirms off (fire and forget)', batch: 100 },
  { id: 'confirms-on', label: `persistent messages, publisher confirms on (${CONFIRM_WINDOW} unconfirmed at most)`, batch: 100 },
] as const satisfies readonly Variant[];

/** The AMQP URL of a vhost. */
export function vhostUrl(rabbit: Endpoints['rabbitmq'], vhost: string): string {
  return `${rabbit.amqpUrl.replace(/\/$/, '')}/${encodeURIComponent(vhost)}`;
}

/** Creates the vhost with permissions for our user; returns how to delete it. */
export async function createVhost(rabbit: Endpoints['rabbitmq'], vhost: string): Promise<() => Promise<void>> {
  const api = managementApi(rabbit);
  const remove = async (): Promise<void> => void (await deleteVhost(api, vhost));
  try {
    await createRunVhost(api, vhost, rabbit.username);
  } catch (error) {
    await remove().catch(() => {});
    throw error;
  }
  return remove;
}

async function connect(url: string): Promise<ChannelModel> {
  // Loaded when a bench runs, not at start-up: every brokerlab command imports this module.
  const amqp = (await import('amqplib')).default;
  const connection = await amqp.connect(url);
  connection.on('error', () => {}); // surfaced by the next operation instead
  return connection;
}

export const rabbitmqBench: BrokerBench<'rabbitmq'> = {
  name: 'rabbitmq',
  label: 'RabbitMQ',
  client: 'amqplib',
  variants: VARIANTS,
  defaultMessages: 10_000,

  async open(endpoint, namespace): Promise<Session> {
    const removeVhost = await createVhost(endpoint, namespace);
    const url = vhostUrl(endpoint, namespace);
    let closed = false;
    return {
      async start(variant, size, onDelivered): Promise<Pipe> {
        const queue = `${variant.id}-${size}`;
        // Producer and consumer on separate connections, as separate programs would be: the
        // broker's flow control then throttles the producer alone.
        const producerConnection = await connect(url);
        const consumerConnection = onDelivered ? await connect(url) : undefined;
        try {
          const confirms = variant.id === 'confirms-on';
          const channel: Channel | ConfirmChannel = confirms ? await producerConnection.createConfirmChannel() : await producerConnection.createChannel();
          channel.on('error', () => {});
          await channel.assertQueue(queue, { durable: true });
          if (consumerConnection && onDelivered) {
            const consumer = await consumerConnection.createChannel();
            consumer.on('error', () => {});
            await consumer.prefetch(PREFETCH);
            await consumer.consume(queue, (message) => {
              if (!message) return;
              onDelivered(message.content);
              consumer.ack(message);
            });
          }
          let unconfirmed = 0;
          let windowOpen: (() => void) | undefined;
          let failed: Error | undefined;
          const drained = (): Promise<void> => new Promise((resolve) => channel.once('drain', resolve));
          return {
            async send(payloads) {
              for (const payload of payloads) {
                if (failed) throw failed;
                if (confirms) {
                  while (unconfirmed >= CONFIRM_WINDOW) await new Promise<void>((resolve) => (windowOpen = resolve));
                  unconfirmed++;
                  (channel as ConfirmChannel).sendToQueue(queue, payload, { persistent: true }, (error) => {
                    if (error) failed = error instanceof Error ? error : new Error(`message nacked: ${String(error)}`);
                    unconfirmed--;
                    windowOpen?.();
                    windowOpen = undefined;
                  });
                } else if (!channel.sendToQueue(queue, payload, { persistent: true })) {
                  await drained(); // the socket's buffer is full: wait, as TCP backpressure asks
                }
              }
            },
            async flush() {
              if (confirms) await (channel as ConfirmChannel).waitForConfirms();
              if (failed) throw failed;
            },
            async stop() {
              await consumerConnection?.close().catch(() => {});
              await producerConnection.close().catch(() => {});
            },
          };
        } catch (error) {
          await consumerConnection?.close().catch(() => {});
          await producerConnection.close().catch(() => {});
          throw error;
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        await removeVhost();
      },
    };
  },
};
