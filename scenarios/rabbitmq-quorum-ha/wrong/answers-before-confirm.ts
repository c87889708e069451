/**
 * Wrong: publishes on a confirm channel but answers 200 as soon as the order is written to
 * the socket: the confirm's callback only logs a failure.
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
  channel.sendToQueue(config.ordersQueue, Buffer.from(JSON.stringify(order)), { persistent: true, contentType: 'application/json', messageId: order.orderId }, (error: unknown) => {
    if (error) console.error(`order ${order.orderId} was not confirmed`);
  });
});

process.on('SIGTERM', () => void stop().finally(() => process.exit(0)));
