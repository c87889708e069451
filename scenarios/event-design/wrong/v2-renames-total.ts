/**
 * Wrong (content): version 2 of order.placed is bumped correctly, but the learner also
 * renames total to amount while at it ("a new version may change things"). A version 1
 * reader, which ignores currency, still needs total: the change breaks it.
 * Must fail: schema-evolution (breaking-change), and events-follow-schema (data-violation:
 * order.placed.v2.schema.json requires total too).
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { type Command, config, parseCommand } from '../../../labs/event-design/events.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

function dataFor(command: Command): { type: string; version: number; data: object } {
  switch (command.type) {
    case 'PlaceOrder': {
      const { orderId, customerId, items, total, currency } = command;
      // v2: the money as { amount, currency }, like a payment
      if (command.schemaVersion === 2) return { type: 'order.placed', version: 2, data: { orderId, customerId, items, amount: total, currency } };
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
  const event = { id: randomUUID(), type, version, occurredAt: new Date().toISOString(), correlationId: command.correlationId, causationId: command.commandId, data };
  channel.publish(config.eventsExchange, type, Buffer.from(JSON.stringify(event)), { persistent: true, contentType: 'application/json' });
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
