/**
 * Wrong: drains RabbitMQ before switching, but looks at the flag only once when it starts: if
 * it already says kafka (a restart after the flip), it goes straight to Kafka and never drains
 * the orders still in ORDERS_QUEUE.
 */
import amqp from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { type Order, config, producersOn, shipOrder } from '../../../labs/migrate-rabbitmq-to-kafka/orders.js';

const redis = new Redis(config.redisUrl);
const shippedKey = (id: string) => `${config.keyPrefix}shipped:${id}`;

async function processOnce(order: Order): Promise<void> {
  if (await redis.exists(shippedKey(order.orderId))) return; // a copy: skip
  await shipOrder(order);
  await redis.set(shippedKey(order.orderId), '1');
}

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(1);

let inFlight = 0;
let consumerTag: string | undefined;
const startRabbit = async () => {
  const { consumerTag: tag } = await channel.consume(config.ordersQueue, async (message) => {
    if (!message) return;
    inFlight++;
    try {
      const order = JSON.parse(message.content.toString()) as Order;
      await processOnce(order);
      channel.ack(message);
    } catch {
      channel.nack(message, false, true);
    } finally {
      inFlight--;
    }
  });
  consumerTag = tag;
};
const startedOnKafka = (await producersOn()) === 'kafka';
if (!startedOnKafka) await startRabbit();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Drain: wait until the flag says kafka AND the queue is empty AND nothing is in hand.
for (;;) {
  if (startedOnKafka) break;
  if ((await producersOn()) === 'kafka') {
    const { messageCount } = await channel.checkQueue(config.ordersQueue);
    if (messageCount === 0 && inFlight === 0) {
      await channel.cancel(consumerTag!);
      while (inFlight > 0) await sleep(20);
      const again = await channel.checkQueue(config.ordersQueue);
      if (again.messageCount === 0) break;
      await startRabbit();
    }
  }
  await sleep(200);
}

const kafka = new Kafka({ clientId: `fulfillment-${config.instanceId}`, ...config.kafkaClient, logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: config.groupId, ...config.groupTimings });
await consumer.connect();
await consumer.subscribe({ topic: config.ordersTopic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const order = JSON.parse(message.value!.toString()) as Order;
    await processOnce(order); // throws => not committed, retried
  },
});

process.on('SIGTERM', () => {
  void (async () => {
    await consumer.disconnect().catch(() => {});
    await connection.close().catch(() => {});
    redis.disconnect();
    process.exit(0);
  })();
});
