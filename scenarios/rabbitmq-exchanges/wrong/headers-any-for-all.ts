/**
 * Wrong (configuration): binds vip-support with "x-match": "any" ("gold or EU, either is a
 * VIP"), where the table says all. Gold customers from the US and any EU customer's
 * escalation reach VIP support.
 * Must fail: routes-as-specified (too-broad).
 */
import amqp from 'amqplib';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const prefix = process.env.NAME_PREFIX ?? '';

type Binding = { queue: string; key?: string; headers?: Record<string, string> };
const table: Array<{ exchange: string; type: 'topic' | 'fanout' | 'direct' | 'headers'; bindings: Binding[] }> = [
  {
    exchange: 'shop.events',
    type: 'topic',
    bindings: [
      { queue: 'audit', key: '#' },
      { queue: 'eu-orders', key: 'orders.eu.*' },
      { queue: 'payments', key: 'payments.#' },
      { queue: 'returns', key: '*.*.returned' },
    ],
  },
  { exchange: 'shop.notifications', type: 'fanout', bindings: [{ queue: 'email' }, { queue: 'sms' }] },
  {
    exchange: 'shop.commands',
    type: 'direct',
    bindings: [
      { queue: 'invoices', key: 'invoice.create' },
      { queue: 'invoices', key: 'invoice.resend' },
      { queue: 'refunds', key: 'refund.create' },
    ],
  },
  {
    exchange: 'shop.escalations',
    type: 'headers',
    bindings: [
      { queue: 'vip-support', headers: { 'x-match': 'any', tier: 'gold', region: 'eu' } },
      { queue: 'fraud-review', headers: { 'x-match': 'any', risk: 'high', chargeback: 'yes' } },
    ],
  },
];

const connection = await amqp.connect(url);
const channel = await connection.createChannel();
for (const { exchange, type, bindings } of table) {
  await channel.assertExchange(prefix + exchange, type, { durable: true });
  for (const { queue, key, headers } of bindings) {
    await channel.assertQueue(prefix + queue, { durable: true });
    await channel.bindQueue(prefix + queue, prefix + exchange, key ?? '', headers);
  }
}

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
setInterval(() => {}, 60_000);
