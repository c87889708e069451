/**
 * Week 6: RabbitMQ topic routing, a log router. Read README.md in this folder first.
 * Grade this file with:  brokerlab check rabbitmq-topic-routing
 *
 * Consume the raw log events on LOG_INBOX, publish each one to the topic exchange
 * LOG_EXCHANGE with the routing key the README's rule gives it, and declare the queues and
 * bindings of the routing table. Keep running: the lab stops this program when it is done.
 */
import amqp from 'amqplib';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The queue the lab puts raw log events on (it exists already). */
const inbox = process.env.LOG_INBOX ?? 'logs.inbox';
/** The topic exchange you declare and publish to. */
const exchange = process.env.LOG_EXCHANGE ?? 'logs';
/** Put this in front of every queue name of the table ('' outside a graded run). */
const prefix = process.env.NAME_PREFIX ?? '';

interface LogEvent {
  logId: string;
  region: string;
  service: string;
  subservice?: string;
  severity: string;
  message: string;
}

/** TODO: <region>.<service>[.<subservice>].<severity>, as the README says. */
function routingKey(event: LogEvent): string {
  return `${event.service}`;
}

const connection = await amqp.connect(url);
const channel = await connection.createChannel();

await channel.assertExchange(exchange, 'topic', { durable: true });
// TODO: declare every queue of the routing table (durable, NAME_PREFIX first) and bind it.
await channel.assertQueue(prefix + 'audit', { durable: true });
await channel.bindQueue(prefix + 'audit', exchange, '#');

await channel.consume(
  inbox,
  (message) => {
    if (message === null) return;
    const event = JSON.parse(message.content.toString()) as LogEvent;
    // TODO: publish with publisher confirms (a confirm channel), and ack only once confirmed.
    channel.publish(exchange, routingKey(event), message.content, { persistent: true });
    channel.ack(message);
  },
  { noAck: false },
);

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
