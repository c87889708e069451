/**
 * Wrong (content): each event is named after the command that caused it (its type is the
 * command's type, PlaceOrder), "so it is easy to see where it came from". An event states
 * what happened, in the past tense: order.placed.
 * Must fail: event-names (command-name).
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { type Command, config, parseCommand } from '../../../labs/event-design/events.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

function dataFor(command: Command): { version: number; data: object } {
  switch (command.type) {
    case 'PlaceOrder': {
      const { orderId, customerId, items, total, currency } = command;
      if (command.schemaVersion === 2) return { version: 2, data: { orderId, customerId, items, total, currency } };
      return { version: 1, data: { orderId, customerId, items, total } };
    }
    case 'PayOrder':
      return { version: 1, data: { orderId: command.orderId, amount: command.amount, paymentMethod: command.paymentMethod } };
    case 'ShipOrder':
      return { version: 1, data: { orderId: command.orderId, carrier: command.carrier, trackingNumber: command.trackingNumber } };
  }
}

await channel.consume(config.commandsQueue, (message) => {
  if (message === null) return;
  const command = parseCommand(message.content);
  const { version, data } = dataFor(command);
  const type = command.type;
  const event = { id: randomUUID(), type, version, occurredAt: new Date().toISOString(), correlationId: command.correlationId, causationId: command.commandId, data };
  channel.publish(config.eventsExchange, type, Buffer.from(JSON.stringify(event)), { persistent: true, contentType: 'application/json' });
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
