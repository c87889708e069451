/**
 * WRONG (configuration): the table's names as they are, without NAME_PREFIX in front ("the
 * prefix is empty anyway"). The lab looks for NAME_PREFIX + each name, and finds none of them.
 * Must trip: ready.
 */
import amqp from 'amqplib';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const prefix = ''; // names are fixed by the table

type Binding = { queue: string; key?: string; headers?: Record<string, string> };
type ExchangeSpec = { name: string; type: 'topic' | 'fanout' | 'direct' | 'headers'; bindings: Binding[] };

const table: ExchangeSpec[] = [
  {
    name: 'shop.events', type: 'topic', bindings: [
      { queue: 'audit', key: '#' },
      { queue: 'eu-orders', key: 'orders.eu.*' },
      { queue: 'payments', key: 'payments.#' },
      { queue: 'returns', key: '*.*.returned' },
    ],
  },
  { name: 'shop.notifications', type: 'fanout', bindings: [{ queue: 'email' }, { queue: 'sms' }] },
  {
    name: 'shop.commands', type: 'direct', bindings: [
      { queue: 'invoices', key: 'invoice.create' },
      { queue: 'invoices', key: 'invoice.resend' },
      { queue: 'refunds', key: 'refund.create' },
    ],
  },
  {
    name: 'shop.escalations', type: 'headers', bindings: [
      { queue: 'vip-support', headers: { 'x-match': 'all', tier: 'gold', region: 'eu' } },
      { queue: 'fraud-review', headers: { 'x-match': 'any', risk: 'high', chargeback: 'yes' } },
    ],
  },
];

const connection = await amqp.connect(url);
const channel = await connection.createChannel();

for (const ex of table) {
  await channel.assertExchange(prefix + ex.name, ex.type, { durable: true });
  for (const b of ex.bindings) {
    await channel.assertQueue(prefix + b.queue, { durable: true });
    await channel.bindQueue(prefix + b.queue, prefix + ex.name, b.key ?? '', b.headers);
  }
}
console.log('topology ready');

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
setInterval(() => {}, 60_000);
