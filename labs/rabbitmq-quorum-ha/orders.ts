/**
 * Week 6: an order service on a quorum queue that loses no acknowledged order when a RabbitMQ
 * node dies. Read README.md in this folder first.
 * Grade this file with:  brokerlab check rabbitmq-quorum-ha
 */
import amqp from 'amqplib';
import { type Order, config, fulfil, serve } from './service.js';

// TODO: connect to one of the cluster's nodes (config.rabbitUrls), and to another one when
//       that connection closes (its node died).
const connection = await amqp.connect(config.rabbitUrls[0]!);
const channel = await connection.createChannel();

// TODO: declare config.ordersQueue so that it survives the loss of a node.
await channel.assertQueue(config.ordersQueue, { durable: true });

// TODO: consume the queue: for each order call fulfil(order), and tell RabbitMQ the order is
//       done only once fulfil returned true.
await channel.consume(config.ordersQueue, (message) => {
  if (message === null) return;
  const order = JSON.parse(message.content.toString('utf8')) as Order;
  console.log(`received ${order.orderId}; fulfil(order) is not called yet`, typeof fulfil);
});

const stop = serve(async (order: Order) => {
  // TODO: publish the order to config.ordersQueue (its JSON as the body) and resolve only
  //       once RabbitMQ confirmed it (the lab gets 200 then); throw when it did not.
  console.log(`received ${order.orderId}`);
});

process.on('SIGTERM', () => void stop().then(() => connection.close()).finally(() => process.exit(0)));
