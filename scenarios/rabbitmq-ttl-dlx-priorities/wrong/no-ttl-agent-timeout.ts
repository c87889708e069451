/**
 * Wrong (configuration): TICKETS_QUEUE declared without x-message-ttl ("the dispatcher already
 * times out slow agent calls after 1.5 s, so nothing waits long"). The timeout only bounds
 * one call: the tickets behind a busy agent still wait in the queue as long as it takes, and
 * nothing expires them; they reach an agent late instead of the dead-letter queue.
 */
import amqp from 'amqplib';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const TICKETS_QUEUE = env('TICKETS_QUEUE');
const NOTIFY_QUEUE = env('NOTIFY_QUEUE');
const DEAD_LETTER_EXCHANGE = env('DEAD_LETTER_EXCHANGE');
const DEAD_LETTER_QUEUE = env('DEAD_LETTER_QUEUE');
const DEAD_LETTER_ROUTING_KEY = env('DEAD_LETTER_ROUTING_KEY');
const OFFER_TTL_MS = Number(env('OFFER_TTL_MS'));
const AGENT_API_URL = env('AGENT_API_URL');

interface Ticket {
  ticketId: string;
  customer: string;
  subject: string;
  urgent: boolean;
  createdAt: number;
}

const connection = await amqp.connect(env('AMQP_URL'));
const channel = await connection.createConfirmChannel();

// Where expired messages go: a direct exchange and a queue bound with the dead-letter key.
await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
await channel.assertQueue(DEAD_LETTER_QUEUE, { durable: true });
await channel.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, DEAD_LETTER_ROUTING_KEY);
const deadLettering = { 'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE, 'x-dead-letter-routing-key': DEAD_LETTER_ROUTING_KEY };

// No queue TTL here: receipts must stay; only offers expire, each by its own expiration.
await channel.assertQueue(NOTIFY_QUEUE, { durable: true, arguments: deadLettering });
// Urgent ones (priority 9) jump the line; slow agents are cut off by the timeout below.
await channel.assertQueue(TICKETS_QUEUE, {
  durable: true,
  arguments: { ...deadLettering, 'x-max-priority': 10 },
});

/** Publishes a notification and waits for the broker's confirm. */
const notify = (body: object, options: amqp.Options.Publish = {}) =>
  new Promise<void>((resolve, reject) =>
    channel.sendToQueue(NOTIFY_QUEUE, Buffer.from(JSON.stringify(body)), { persistent: true, contentType: 'application/json', ...options }, (err: unknown) => (err ? reject(err) : resolve())),
  );

// One ticket at a time: the broker keeps the rest, so it can hand out the most urgent next.
await channel.prefetch(1);
await channel.consume(
  TICKETS_QUEUE,
  async (message) => {
    if (message === null) return;
    try {
      const ticket = JSON.parse(message.content.toString()) as Ticket;
      // An agent may take seconds; give up after 1.5 s and requeue the ticket (it comes back first).
      const response = await fetch(AGENT_API_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticketId: ticket.ticketId }), signal: AbortSignal.timeout(1_500) });
      if (!response.ok) throw new Error(`agent API answered ${response.status}`);
      await notify({ ticketId: ticket.ticketId, type: 'receipt', text: `We are on it: "${ticket.subject}"` });
      if (ticket.urgent) {
        // The offer is only good for OFFER_TTL_MS: the broker drops it (to the DLX) after that.
        await notify({ ticketId: ticket.ticketId, type: 'callback-offer', text: 'Reply now and an agent calls you back' }, { expiration: String(OFFER_TTL_MS) });
      }
      channel.ack(message);
    } catch (error) {
      console.error(error);
      channel.nack(message, false, true);
    }
  },
  { noAck: false },
);

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
