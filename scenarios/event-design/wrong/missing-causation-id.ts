/**
 * Wrong (content): the envelope has no causationId. The learner thought the correlationId
 * already says where an event comes from, so a second id seemed redundant.
 * Must fail: correlation-and-causation (missing-causation), and events-follow-schema
 * (envelope-missing-field: envelope.schema.json requires causationId).
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
  // The correlationId ties the event to its order's flow: that is where it came from.
  const event = { id: randomUUID(), type, version, occurredAt: new Date().toISOString(), correlationId: command.correlationId, data };
  channel.publish(config.eventsExchange, type, Buffer.from(JSON.stringify(event)), { persistent: true, contentType: 'application/json' });
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
