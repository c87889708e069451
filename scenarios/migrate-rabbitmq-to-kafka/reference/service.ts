/**
 * Reference solution: drain, then switch. Consume ORDERS_QUEUE until the flag says the
 * producers are on Kafka AND the queue is empty with nothing in hand; then stop consuming
 * RabbitMQ and consume ORDERS_TOPIC in the group GROUP_ID from the beginning (kafkajs commits
 * an offset once eachMessage resolved for it). Every order goes through one idempotent step:
 * skip it if Redis knows it was shipped, else ship it and remember it.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Order, config, producersOn, shipOrder } from '../../../labs/migrate-rabbitmq-to-kafka/orders.js';

const redis = new Redis(config.redisUrl);
const shippedKey = (orderId: string) => `${config.keyPrefix}shipped:${orderId}`;

/** Ships the order once, whichever broker it came from and however often. */
async function handle(order: Order): Promise<void> {
  if (await redis.exists(shippedKey(order.orderId))) return; // a copy: shipped before
  await shipOrder(order);
  await redis.set(shippedKey(order.orderId), '1');
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
