/**
 * Week 6: RabbitMQ TTL, dead-letter exchanges and priorities, a support-ticket dispatcher.
 * Read README.md in this folder first. Grade this file with:
 *   brokerlab check rabbitmq-ttl-dlx-priorities
 *
 * Declare the topology (TICKETS_QUEUE, NOTIFY_QUEUE, the dead-letter exchange and queue),
 * take tickets one at a time, assign each through the agent API, tell the customer on
 * NOTIFY_QUEUE, then ack the ticket. Keep running: the lab stops this program when it is done.
 */
import amqp from 'amqplib';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const TICKETS_QUEUE = env('TICKETS_QUEUE', 'tickets');
const NOTIFY_QUEUE = env('NOTIFY_QUEUE', 'notifications');
const DEAD_LETTER_EXCHANGE = env('DEAD_LETTER_EXCHANGE', 'support.dlx');
const DEAD_LETTER_QUEUE = env('DEAD_LETTER_QUEUE', 'tickets.expired');
const DEAD_LETTER_ROUTING_KEY = env('DEAD_LETTER_ROUTING_KEY', 'expired');
/** How long a ticket may wait in TICKETS_QUEUE (milliseconds). */
const TICKET_TTL_MS = Number(env('TICKET_TTL_MS', '3000'));
/** How long a callback offer is good for (milliseconds). */
const OFFER_TTL_MS = Number(env('OFFER_TTL_MS', '1000'));
const AGENT_API_URL = env('AGENT_API_URL', 'http://127.0.0.1:8080/assign');

interface Ticket {
  ticketId: string;
  customer: string;
  subject: string;
  urgent: boolean;
  /** When the ticket was created (ms since the epoch). */
  createdAt: number;
}

const connection = await amqp.connect(env('AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'));
const channel = await connection.createConfirmChannel();

await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
await channel.assertQueue(DEAD_LETTER_QUEUE, { durable: true });
await channel.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, DEAD_LETTER_ROUTING_KEY);
// TODO: expired notifications must be dead-lettered (x-dead-letter-exchange, x-dead-letter-routing-key).
await channel.assertQueue(NOTIFY_QUEUE, { durable: true });
// TODO: a priority queue (x-max-priority) whose tickets expire after TICKET_TTL_MS
// (x-message-ttl) into the dead-letter exchange.
await channel.assertQueue(TICKETS_QUEUE, { durable: true });

/** Publishes a notification and waits for the broker's confirm. */
const notify = (body: object, options: amqp.Options.Publish = {}) =>
  new Promise<void>((resolve, reject) =>
    channel.sendToQueue(NOTIFY_QUEUE, Buffer.from(JSON.stringify(body)), { persistent: true, contentType: 'application/json', ...options }, (err: unknown) => (err ? reject(err) : resolve())),
  );

await channel.prefetch(1);
await channel.consume(
  TICKETS_QUEUE,
  async (message) => {
    if (message === null) return;
    try {
      const ticket = JSON.parse(message.content.toString()) as Ticket;
      const response = await fetch(AGENT_API_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticketId: ticket.ticketId }) });
      if (!response.ok) throw new Error(`agent API answered ${response.status}`);
      await notify({ ticketId: ticket.ticketId, type: 'receipt' });
      // TODO: for an urgent ticket, also a callback offer that expires after OFFER_TTL_MS.
      void OFFER_TTL_MS;
      void TICKET_TTL_MS;
      channel.ack(message);
    } catch (error) {
      // The agent API failed (an error status, or no answer at all): the ticket comes back.
      console.error(error);
      channel.nack(message, false, true);
    }
  },
  { noAck: false },
);

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
