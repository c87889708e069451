/**
 * Wrong: switches to Kafka the moment the flag says "kafka": it cancels its RabbitMQ consumer
 * without draining ORDERS_QUEUE, so the orders still in the queue then stay there.
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
const consumeRabbit = () =>
  channel.consume(config.ordersQueue, async (message) => {
    if (!message) return;
    try {
      await handle(JSON.parse(message.content.toString()) as Order);
      channel.ack(message);
    } catch {
      channel.nack(message, false, true);
    }
  });
const { consumerTag } = await consumeRabbit();
// The producers are on Kafka now: so are we.
while ((await producersOn()) !== 'kafka') await sleep(200);
await channel.cancel(consumerTag);

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
