/**
 * Wrong (content): for the evolution step the learner "improves" order.placed: total becomes
 * amount (the name order.paid uses) and currency is added, but the version stays 1, "so
 * that old consumers still accept it". Version 1 readers look for total and find none.
 * Must fail: schema-evolution (changed-under-same-version), and events-follow-schema
 * (data-violation: order.placed.v1.schema.json requires total).
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
      if (command.schemaVersion === 2) return { type: 'order.placed', version: 1, data: { orderId, customerId, items, amount: total, currency } };
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
