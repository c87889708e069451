/**
 * Wrong: a 503 (busy) or no answer sends the order back with channel.nack(message, false,
 * false), meaning to requeue it, but requeue=false drops it: the order is left half-done
 * (stock reserved, payment charged, never shipped) and never reported.
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

class TryLater extends Error {}

/** One call; a 503 or no answer gives up on this delivery of the order. */
async function until(order: Order, name: string, run: Call): Promise<CallResult> {
  const result = await run(order, `${order.orderId}:${name}`);
  if (result.ok || result.refused) return result;
  throw new TryLater(`${name}: ${result.error}`);
}

async function process_(order: Order): Promise<OrderStatus> {
  const done: Step[] = [];
  for (const step of STEPS) {
    const result = await until(order, step.name, step.run);
    if (result.ok) {
      done.push(step);
      continue;
    }
    // Refused for good: undo what went through, last one first. The failed step did nothing.
    for (const previous of done.reverse()) if (previous.undo) await until(order, previous.undo.name, previous.undo.run);
    return { orderId: order.orderId, status: 'cancelled', reason: result.ok ? '' : result.error };
  }
  return { orderId: order.orderId, status: 'completed' };
}

await channel.consume(
  config.ordersQueue,
  async (message) => {
    if (message === null) return;
    let status: OrderStatus;
    try {
      status = await process_(JSON.parse(message.content.toString()) as Order);
    } catch (error) {
      if (!(error instanceof TryLater)) throw error;
      console.log('later:', error.message);
      channel.nack(message, false, false); // the mistake: requeue=false drops the order
      return;
    }
    channel.sendToQueue(config.orderStatusQueue, Buffer.from(JSON.stringify(status)), { persistent: true, contentType: 'application/json' });
    await channel.waitForConfirms();
    channel.ack(message);
  },
  { noAck: false },
);

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
