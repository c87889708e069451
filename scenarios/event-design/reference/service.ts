/**
 * Reference solution: one function builds every envelope (a fresh UUID, the type the command
 * calls for, the version it asks for, occurredAt now, the command's correlationId, its
 * commandId as causationId); the data copies the command's fields, and version 2 of
 * order.placed only adds currency. Published to the topic exchange with the type as the
 * routing key, persistent, through a confirm channel; the command is acked once the
 * broker has the event.
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { type Command, type DomainEvent, config, parseCommand } from '../../../labs/event-design/events.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createConfirmChannel();
await channel.prefetch(10);

function envelope<E extends DomainEvent>(command: Command, type: E['type'], version: E['version'], data: E['data']): E {
  return { id: randomUUID(), type, version, occurredAt: new Date().toISOString(), correlationId: command.correlationId, causationId: command.commandId, data } as E;
}

function eventFor(command: Command): DomainEvent {
  switch (command.type) {
    case 'PlaceOrder': {
      const { orderId, customerId, items, total, currency } = command;
      return command.schemaVersion === 2
        ? envelope(command, 'order.placed', 2, { orderId, customerId, items, total, currency })
        : envelope(command, 'order.placed', 1, { orderId, customerId, items, total });
    }
    case 'PayOrder':
      return envelope(command, 'order.paid', 1, { orderId: command.orderId, amount: command.amount, paymentMethod: command.paymentMethod });
    case 'ShipOrder':
      return envelope(command, 'order.shipped', 1, { orderId: command.orderId, carrier: command.carrier, trackingNumber: command.trackingNumber });
  }
}

await channel.consume(config.commandsQueue, (message) => {
  if (message === null) return;
  const event = eventFor(parseCommand(message.content));
  channel.publish(config.eventsExchange, event.type, Buffer.from(JSON.stringify(event)), { persistent: true, contentType: 'application/json', messageId: event.id, type: event.type }, (err) => {
    if (err) channel.nack(message, false, true);
    else channel.ack(message);
  });
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
