/**
 * Reference solution: a durable quorum queue (replicated on the three nodes, so the other two
 * elect a new leader when its node dies), orders published on a confirm channel and answered
 * 200 only once RabbitMQ confirmed them, and a consumer that acks an order only after its
 * fulfilment call answered 200 (nack with requeue otherwise). When the connection closes
 * (its node died), the program connects to the next node of RABBITMQ_URLS and opens both
 * channels again; a publish waiting for its confirm on the dead connection is answered 500,
 * and publishes in the meantime wait for the new connection.
 */
import amqp, { type Channel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { type Order, config, fulfil, serve } from '../../../labs/rabbitmq-quorum-ha/service.js';

const QUEUE_ARGS = { durable: true, arguments: { 'x-queue-type': 'quorum' } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let publisher: ConfirmChannel | undefined;
let nextUrl = 0;
let connecting: Promise<ConfirmChannel> | undefined;

/** Fulfils one order, then acks it; a failed call sends it back to the queue. */
async function handle(channel: Channel, message: ConsumeMessage | null): Promise<void> {
  if (message === null) return; // the consumer was cancelled: the reconnect starts a new one
  const order = JSON.parse(message.content.toString('utf8')) as Order;
  const ok = await fulfil(order);
  try {
    if (ok) channel.ack(message);
    else channel.nack(message, false, true);
  } catch {
    // The channel died meanwhile: RabbitMQ gives the order back, to be fulfilled again.
  }
}

/** Connects to the next node that answers, declares the queue, starts consuming. */
async function connect(): Promise<ConfirmChannel> {
  for (;;) {
    const url = config.rabbitUrls[nextUrl++ % config.rabbitUrls.length]!;
    const connection = await amqp.connect(url).catch(() => undefined);
    if (!connection) {
      await sleep(200);
      continue;
    }
    try {
      connection.on('error', (error: Error) => console.error('connection error:', error.message));
      const confirm = await connection.createConfirmChannel();
      confirm.on('error', () => {});
      await confirm.assertQueue(config.ordersQueue, QUEUE_ARGS);
      const consumer = await connection.createChannel();
      consumer.on('error', () => {});
      await consumer.prefetch(10);
      await consumer.consume(config.ordersQueue, (message) => void handle(consumer, message), { noAck: false });
      connection.on('close', () => {
        console.error('connection closed; connecting to another node');
        publisher = undefined;
        void ensureConnected();
      });
      console.log(`connected to ${url.replace(/\/\/[^@]*@/, '//')}`);
      publisher = confirm;
      return confirm;
    } catch (error) {
      console.error('setting up failed:', (error as Error).message);
      await connection.close().catch(() => {});
      await sleep(200);
    }
  }
}

function ensureConnected(): Promise<ConfirmChannel> {
  if (publisher) return Promise.resolve(publisher);
  connecting ??= connect().finally(() => {
    connecting = undefined;
  });
  return connecting;
}

await ensureConnected();

const stop = serve(async (order: Order) => {
  const channel = await ensureConnected();
  // Resolves once RabbitMQ confirmed the message (a majority of the queue's replicas have
  // it); rejects on a nack, or when the channel closes before the confirm came.
  await new Promise<void>((resolve, reject) => {
    const closed = () => reject(new Error('the channel closed before RabbitMQ confirmed the order'));
    channel.once('close', closed);
    channel.sendToQueue(config.ordersQueue, Buffer.from(JSON.stringify(order)), { persistent: true, contentType: 'application/json', messageId: order.orderId }, (error: unknown) => {
      channel.off('close', closed);
      if (error) reject(error instanceof Error ? error : new Error('RabbitMQ refused the order'));
      else resolve();
    });
  });
});

process.on('SIGTERM', () => void stop().finally(() => process.exit(0)));
