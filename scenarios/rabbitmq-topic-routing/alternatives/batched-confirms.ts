/**
 * Alternative correct solution: one confirm channel for everything, the table as a list of
 * bindings, the key joined from a field list, and acks in batches: every event taken is
 * published at once, then waitForConfirms() covers them all and only then are they acked.
 */
import amqp, { type ConsumeMessage } from 'amqplib';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const inbox = env('LOG_INBOX');
const exchange = env('LOG_EXCHANGE');
const prefix = process.env.NAME_PREFIX ?? '';

const bindings = [
  { queue: 'audit', pattern: '#' },
  { queue: 'eu-logs', pattern: 'eu.#' },
  { queue: 'payments', pattern: '*.payments.*' },
  { queue: 'payments-all', pattern: '*.payments.#' },
  { queue: 'critical', pattern: '#.critical' },
  { queue: 'errors', pattern: '*.*.error' },
  { queue: 'us-errors', pattern: 'us.#.error' },
];

const LEVELS = ['region', 'service', 'subservice', 'severity'] as const;
type Event = Partial<Record<(typeof LEVELS)[number], string>>;

const connection = await amqp.connect(env('AMQP_URL'));
const channel = await connection.createConfirmChannel();
await channel.assertExchange(exchange, 'topic', { durable: true });
await Promise.all(bindings.map(({ queue }) => channel.assertQueue(prefix + queue, { durable: true })));
await Promise.all(bindings.map(({ queue, pattern }) => channel.bindQueue(prefix + queue, exchange, pattern)));

/** Taken from the inbox, published, waiting for a confirm. */
let pending: ConsumeMessage[] = [];
let flushing = false;

async function flush(): Promise<void> {
  if (flushing || pending.length === 0) return;
  flushing = true;
  const batch = pending;
  pending = [];
  try {
    await channel.waitForConfirms();
    for (const message of batch) channel.ack(message);
  } catch {
    for (const message of batch) channel.nack(message, false, true);
  } finally {
    flushing = false;
  }
  void flush();
}

await channel.prefetch(20);
await channel.consume(inbox, (message) => {
  if (!message) return;
  const event = JSON.parse(message.content.toString()) as Event;
  const key = LEVELS.map((level) => event[level]).filter((word): word is string => typeof word === 'string' && word !== '').join('.');
  channel.publish(exchange, key, message.content, { persistent: true, contentType: 'application/json' });
  pending.push(message);
  setImmediate(() => void flush());
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
