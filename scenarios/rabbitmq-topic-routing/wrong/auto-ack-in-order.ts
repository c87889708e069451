/**
 * Wrong: consumes with noAck: true and routes the events one after the other through a
 * promise chain, each publish confirmed. The events queued in the chain were acked when
 * RabbitMQ sent them: killed mid-burst, the router loses them.
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

/** One event after the other, so that they reach the exchange in the order they came. */
let inOrder: Promise<void> = Promise.resolve();

function publishConfirmed(key: string, content: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    publisher.publish(exchange, key, content, { persistent: true, contentType: 'application/json' }, (err: unknown) => (err ? reject(err) : resolve()));
  });
}

// noAck: the publish is confirmed, "so there is nothing to ack".
await channel.consume(
  inbox,
  (message) => {
    if (message === null) return;
    const event = JSON.parse(message.content.toString()) as LogEvent;
    inOrder = inOrder.then(() => publishConfirmed(routingKey(event), message.content)).catch((err: unknown) => console.error('publish failed', err));
  },
  { noAck: true },
);

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
