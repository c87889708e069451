/**
 * Wrong: remembers the shipped orderIds in a Set in its own memory: the restart
 * empties it, and the copies on Kafka of orders shipped before it are shipped again.
 */
import amqp from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Order, config, producersOn, shipOrder } from '../../../labs/migrate-rabbitmq-to-kafka/orders.js';

const shipped = new Set<string>();

/** Ships the order once, whichever broker it came from and however often. */
async function handle(order: Order): Promise<void> {
  if (shipped.has(order.orderId)) return; // a copy: shipped before
  await shipOrder(order);
  shipped.add(order.orderId);
}

// 1. RabbitMQ, until it is drained after the cut-over.
const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(10);
let inHand = 0;
const consumeRabbit = () =>
  channel.consume(config.ordersQueue, async (message) => {
    if (!message) return;
    inHand++;
    try {
      await handle(JSON.parse(message.content.toString()) as Order);
      channel.ack(message);
    } catch {
      channel.nack(message, false, true);
    } finally {
      inHand--;
    }
  });
let { consumerTag } = await consumeRabbit();
const drained = async () => (await channel.checkQueue(config.ordersQueue)).messageCount === 0 && inHand === 0;
for (;;) {
  await sleep(200);
  if ((await producersOn()) !== 'kafka' || !(await drained())) continue;
  // Nothing new comes to RabbitMQ any more, and nothing is left: stop, finish what came in
  // with the cancel, and look once more (an order given back by a nack is ready again).
  await channel.cancel(consumerTag);
  while (inHand > 0) await sleep(20);
  if (await drained()) break;
  ({ consumerTag } = await consumeRabbit());
}
await connection.close();

// 2. Kafka, in the group, from the beginning: orders published while RabbitMQ drained are there.
const kafka = new Kafka({ clientId: `fulfillment-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
await consumer.connect();
await consumer.subscribe({ topic: config.ordersTopic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    await handle(JSON.parse(message.value?.toString() ?? '{}') as Order);
  },
});

process.on('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
