/**
 * Wrong (concurrency): two workers, each its own channel with prefetch 1 ("one ticket at a
 * time per agent, twice the throughput"). While one waits for the busy agent, the other takes
 * the next ticket at once, in arrival order: a normal ticket goes before the urgent ones
 * behind it, and the tickets meant to go stale leave the queue before their TTL can act.
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
const TICKET_TTL_MS = Number(env('TICKET_TTL_MS'));
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
// Every ticket expires after TICKET_TTL_MS in the queue; urgent ones (priority 9) jump the line.
await channel.assertQueue(TICKETS_QUEUE, {
  durable: true,
  arguments: { ...deadLettering, 'x-message-ttl': TICKET_TTL_MS, 'x-max-priority': 10 },
});

/** Publishes a notification and waits for the broker's confirm. */
const notify = (body: object, options: amqp.Options.Publish = {}) =>
  new Promise<void>((resolve, reject) =>
    channel.sendToQueue(NOTIFY_QUEUE, Buffer.from(JSON.stringify(body)), { persistent: true, contentType: 'application/json', ...options }, (err: unknown) => (err ? reject(err) : resolve())),
  );

// Two workers, each one ticket at a time: twice the throughput.
const onTicket = (worker: amqp.ConfirmChannel) => async (message: amqp.ConsumeMessage | null) => {
  if (message === null) return;
  try {
    const ticket = JSON.parse(message.content.toString()) as Ticket;
    const response = await fetch(AGENT_API_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticketId: ticket.ticketId }) });
    if (!response.ok) throw new Error(`agent API answered ${response.status}`);
    await notify({ ticketId: ticket.ticketId, type: 'receipt', text: `We are on it: "${ticket.subject}"` });
    if (ticket.urgent) {
      // The offer is only good for OFFER_TTL_MS: the broker drops it (to the DLX) after that.
      await notify({ ticketId: ticket.ticketId, type: 'callback-offer', text: 'Reply now and an agent calls you back' }, { expiration: String(OFFER_TTL_MS) });
    }
    worker.ack(message);
  } catch (error) {
    console.error(error);
    worker.nack(message, false, true);
  }
};
for (let i = 0; i < 2; i++) {
  const worker = await connection.createConfirmChannel();
  await worker.prefetch(1);
  await worker.consume(TICKETS_QUEUE, onTicket(worker), { noAck: false });
}

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
