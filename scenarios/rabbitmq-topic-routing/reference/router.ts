/**
 * Reference solution: a log router. Declares the topic exchange and the routing table,
 * consumes LOG_INBOX with manual acks and a bounded prefetch, publishes each event on a
 * confirm channel with the key <region>.<service>[.<subservice>].<severity>, and acks the
 * inbox message only once the broker confirmed the publish (a failed publish goes back).
 */
import amqp from 'amqplib';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const inbox = process.env.LOG_INBOX ?? 'logs.inbox';
const exchange = process.env.LOG_EXCHANGE ?? 'logs';
const prefix = process.env.NAME_PREFIX ?? '';

/** The routing table of the README: queue -> binding pattern. */
const TABLE: Array<[queue: string, pattern: string]> = [
  ['audit', '#'],
  ['eu-logs', 'eu.#'],
  ['payments', '*.payments.*'],
  ['payments-all', '*.payments.#'],
  ['critical', '#.critical'],
  ['errors', '*.*.error'],
  ['us-errors', 'us.#.error'],
];

interface LogEvent {
  logId: string;
  region: string;
  service: string;
  subservice?: string;
  severity: string;
  message: string;
}

/** region.service[.subservice].severity: the sub-service is a level of its own when there is one. */
function routingKey(event: LogEvent): string {
  return event.subservice ? `${event.region}.${event.service}.${event.subservice}.${event.severity}` : `${event.region}.${event.service}.${event.severity}`;
}

const connection = await amqp.connect(url);
const channel = await connection.createChannel();
const publisher = await connection.createConfirmChannel();

await channel.assertExchange(exchange, 'topic', { durable: true });
for (const [queue, pattern] of TABLE) {
  await channel.assertQueue(prefix + queue, { durable: true });
  await channel.bindQueue(prefix + queue, exchange, pattern);
}

await channel.prefetch(50);
await channel.consume(
  inbox,
  (message) => {
    if (message === null) return;
    const event = JSON.parse(message.content.toString()) as LogEvent;
    // The callback is the broker's confirm: only then is the event safe in its queues.
    publisher.publish(exchange, routingKey(event), message.content, { persistent: true, contentType: 'application/json' }, (err: unknown) => {
      if (err) channel.nack(message, false, true);
      else channel.ack(message);
    });
  },
  { noAck: false },
);

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
