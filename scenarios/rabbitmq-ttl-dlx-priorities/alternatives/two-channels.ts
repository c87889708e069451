/**
 * Alternative correct solution, written differently: the topology as one table of queues and
 * their arguments, a plain channel to consume on (prefetch 1) and a confirm channel to publish
 * on (waitForConfirms before the ack), x-max-priority exactly 9 (the highest priority the lab
 * uses), and the offer published before the receipt.
 */
import amqp from 'amqplib';

const e = process.env as Record<string, string>;
const ttl = Number(e.TICKET_TTL_MS);
const offerTtl = String(Number(e.OFFER_TTL_MS));
const toDeadLetters = { 'x-dead-letter-exchange': e.DEAD_LETTER_EXCHANGE, 'x-dead-letter-routing-key': e.DEAD_LETTER_ROUTING_KEY };

const QUEUES: Array<[name: string, args: Record<string, unknown>]> = [
  [e.DEAD_LETTER_QUEUE as string, {}],
  [e.NOTIFY_QUEUE as string, toDeadLetters],
  [e.TICKETS_QUEUE as string, { ...toDeadLetters, 'x-message-ttl': ttl, 'x-max-priority': 9 }],
];

const connection = await amqp.connect(e.AMQP_URL as string);
const consumer = await connection.createChannel();
const publisher = await connection.createConfirmChannel();

await consumer.assertExchange(e.DEAD_LETTER_EXCHANGE as string, 'direct', { durable: true });
for (const [name, args] of QUEUES) await consumer.assertQueue(name, { durable: true, arguments: args });
await consumer.bindQueue(e.DEAD_LETTER_QUEUE as string, e.DEAD_LETTER_EXCHANGE as string, e.DEAD_LETTER_ROUTING_KEY as string);

async function handle(ticket: { ticketId: string; urgent: boolean }): Promise<void> {
  const res = await fetch(`${e.AGENT_API_URL}/assign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticketId: ticket.ticketId }) });
  if (res.status !== 200) throw new Error(`agent API: ${res.status}`);
  const send = (body: object, options: amqp.Options.Publish = {}) => publisher.sendToQueue(e.NOTIFY_QUEUE as string, Buffer.from(JSON.stringify(body)), { contentType: 'application/json', ...options });
  if (ticket.urgent) send({ ticketId: ticket.ticketId, type: 'callback-offer' }, { expiration: offerTtl });
  send({ ticketId: ticket.ticketId, type: 'receipt' });
  await publisher.waitForConfirms();
}

await consumer.prefetch(1);
await consumer.consume(e.TICKETS_QUEUE as string, (message) => {
  if (!message) return;
  handle(JSON.parse(message.content.toString())).then(
    () => consumer.ack(message),
    (error: unknown) => {
      console.error(error);
      consumer.nack(message, false, true);
    },
  );
});

process.once('SIGTERM', () => void connection.close().then(() => process.exit(0)));
