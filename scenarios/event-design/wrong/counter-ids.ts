/**
 * Wrong (concurrency): event ids come from a counter in the service's memory, formatted as
 * a UUID ("readable and sortable"). Unique within one process, but two copies of the
 * service run at once and both count from 1: their events carry the same ids.
 * Must fail: unique-event-ids (repeats).
 */
import amqp from 'amqplib';
import { type Command, config, parseCommand } from '../../../labs/event-design/events.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

let sequence = 0;
/** 00000000-0000-4000-8000-000000000001, 00000000-0000-4000-8000-000000000002, ... */
function nextId(): string {
  sequence++;
  return `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
}

function dataFor(command: Command): { type: string; version: number; data: object } {
  switch (command.type) {
    case 'PlaceOrder': {
      const { orderId, customerId, items, total, currency } = command;
      if (command.schemaVersion === 2) return { type: 'order.placed', version: 2, data: { orderId, customerId, items, total, currency } };
      return { type: 'order.placed', version: 1, data: { orderId, customerId, items, total } };
    }
    case 'PayOrder':
      return { type: 'order.paid', version: 1, data: { orderId: command.orderId, amount: command.amount, paymentMethod: command.paymentMethod } };
    case 'ShipOrder':
      return { type: 'order.shipped', version: 1, data: { orderId: command.orderId, carrier: command.carrier, trackingNumber: command.trackingNumber } };
  }
}

await channel.consume(config.commandsQueue, (message) => {
  if (message === null) return;
  const command = parseCommand(message.content);
  const { type, version, data } = dataFor(command);
  const event = { id: nextId(), type, version, occurredAt: new Date().toISOString(), correlationId: command.correlationId, causationId: command.commandId, data };
  channel.publish(config.eventsExchange, type, Buffer.from(JSON.stringify(event)), { persistent: true, contentType: 'application/json' });
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
