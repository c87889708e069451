/**
 * Week 2: RabbitMQ exchanges and routing. Read README.md in this folder first.
 * Grade this file with:  brokerlab check rabbitmq-exchanges
 *
 * Declare the exchanges, queues and bindings of the routing table in the README, then keep
 * running: the lab publishes its messages once your topology is there.
 */
import amqp from 'amqplib';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** Put this in front of every exchange and queue name ('' in a vhost of the run's own). */
const prefix = process.env.NAME_PREFIX ?? '';

const connection = await amqp.connect(url);
const channel = await connection.createChannel();

// TODO: declare the four exchanges of the table (durable), with their types.
// TODO: declare every queue (durable) and bind it as the table says.
await channel.assertExchange(`${prefix}shop.events`, 'topic', { durable: true });
await channel.assertQueue(`${prefix}audit`, { durable: true });
await channel.bindQueue(`${prefix}audit`, `${prefix}shop.events`, '#');

// Keep running until the lab stops this program.
process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
setInterval(() => {}, 60_000);
