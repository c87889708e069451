/**
 * Wrong: on a refusal it reports the order "cancelled" at once ("the customer should know
 * quickly"), then compensates, then acks: the status announces a refund and a release that
 * have not happened yet (and never will, if the worker dies in between).
 */
import amqp from 'amqplib';
import { type CallResult, type Order, type OrderStatus, bookShipment, chargePayment, config, refundPayment, releaseStock, reserveStock } from '../../../labs/rabbitmq-order-compensations/orders.js';

type Call = (order: Order, idempotencyKey?: string) => Promise<CallResult>;
interface Step {
  name: string;
  run: Call;
  /** What undoes it, with its own name (its key). */
  undo?: { name: string; run: Call };
}

const STEPS: Step[] = [
  { name: 'reserve', run: reserveStock, undo: { name: 'release', run: releaseStock } },
  { name: 'charge', run: chargePayment, undo: { name: 'refund', run: refundPayment } },
  { name: 'ship', run: bookShipment },
];

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createConfirmChannel();
await channel.assertQueue(config.ordersQueue, { durable: true });
await channel.prefetch(5);

/** Calls until the answer is final: done, or refused for good. A 503 or no answer is retried. */
async function until(order: Order, name: string, run: Call): Promise<CallResult> {
  for (;;) {
    const result = await run(order, `${order.orderId}:${name}`);
    if (result.ok || result.refused) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function publish(status: OrderStatus): Promise<void> {
  channel.sendToQueue(config.orderStatusQueue, Buffer.from(JSON.stringify(status)), { persistent: true, contentType: 'application/json' });
  await channel.waitForConfirms();
}

/** The order's status, or undefined when it was already published. */
async function process_(order: Order): Promise<OrderStatus | undefined> {
  const done: Step[] = [];
  for (const step of STEPS) {
    const result = await until(order, step.name, step.run);
    if (result.ok) {
      done.push(step);
      continue;
    }
    // Refused for good: tell the shop first (the mistake), then undo what went through.
    await publish({ orderId: order.orderId, status: 'cancelled', reason: result.ok ? '' : result.error });
    for (const previous of done.reverse()) if (previous.undo) await until(order, previous.undo.name, previous.undo.run);
    return undefined;
  }
  return { orderId: order.orderId, status: 'completed' };
}

await channel.consume(
  config.ordersQueue,
  async (message) => {
    if (message === null) return;
    const status = await process_(JSON.parse(message.content.toString()) as Order);
    if (status) await publish(status);
    channel.ack(message);
  },
  { noAck: false },
);

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
