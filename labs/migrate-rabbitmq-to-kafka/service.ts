/**
 * Week 7: migrate a live flow from RabbitMQ to Kafka. Read README.md in this folder first.
 * Grade this file with:  brokerlab check migrate-rabbitmq-to-kafka
 *
 * The order-fulfilment service: it ships every order it receives. Today it only knows
 * RabbitMQ. During the run the producers move to Kafka (MIGRATION_FILE says when).
 */
import amqp from 'amqplib';
import { type Order, config, shipOrder } from './orders.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
await channel.prefetch(10);

await channel.consume(config.ordersQueue, async (message) => {
  if (!message) return;
  const order = JSON.parse(message.content.toString()) as Order;
  try {
    await shipOrder(order);
    channel.ack(message);
  } catch {
    channel.nack(message, false, true);
  }
});

// TODO 1: after the cut-over (producersOn() answers "kafka") new orders come on ORDERS_TOPIC:
//         ship those too, consuming in the group GROUP_ID, from the beginning of the topic,
//         committing an order's offset only once it is shipped. Orders still in ORDERS_QUEUE
//         at the cut-over must be shipped too (drain it first, or keep consuming both).
// TODO 2: some orders come twice (on both brokers, or again after a crash): ship each orderId
//         once, remembered in Redis under KEY_PREFIX, so that a restart does not forget it.

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
