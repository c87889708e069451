/**
 * WRONG (ack-timing): publishes every event right, but never acks its command (the ack got lost
 * while rewriting the callback). Every command stays unacked: when the service restarts,
 * RabbitMQ hands them all back, and every event is published again.
 * Must trip: all-acked, cause "never-acked".
 */
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { type Command, type DomainEvent, config, parseCommand } from '../../../labs/event-design/events.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

function envelope<T extends DomainEvent>(command: Command, type: T['type'], version: T['version'], data: T['data']): T {
  return {
    id: randomUUID(),
    type,
    version,
    occurredAt: new Date().toISOString(),
    correlationId: command.correlationId,
    causationId: command.commandId,
    data,
  } as T;
}

function toEvent(command: Command): DomainEvent {
  switch (command.type) {
    case 'PlaceOrder': {
      const { orderId, customerId, items, total } = command;
      if (command.schemaVersion === 2) {
        return envelope(command, 'order.placed', 2, { orderId, customerId, items, total, currency: command.currency });
      }
      return envelope(command, 'order.placed', 1, { orderId, customerId, items, total });
    }
    case 'PayOrder':
      return envelope(command, 'order.paid', 1, {
        orderId: command.orderId, amount: command.amount, paymentMethod: command.paymentMethod,
      });
    case 'ShipOrder':
      return envelope(command, 'order.shipped', 1, {
        orderId: command.orderId, carrier: command.carrier, trackingNumber: command.trackingNumber,
      });
  }
}

await channel.consume(config.commandsQueue, (message) => {
  if (message === null) return;
  const command: Command = parseCommand(message.content);
  const event = toEvent(command);
  channel.publish(config.eventsExchange, event.type, Buffer.from(JSON.stringify(event)), {
    persistent: true,
    contentType: 'application/json',
  });
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
