/**
 * Wrong (content): order.placed recomputes its total from the items instead of copying the
 * command's ("so the event cannot contradict its own items"), and adds up the unit prices,
 * forgetting the quantities. The event has the right shape and the wrong amount.
 * Must fail: events-follow-schema (wrong-data).
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { type Command, type OrderItem, config, parseCommand } from '../../../labs/event-design/events.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

const totalOf = (items: OrderItem[]) => Math.round(items.reduce((sum, item) => sum + item.unitPrice, 0) * 100) / 100;

function dataFor(command: Command): { type: string; version: number; data: object } {
  switch (command.type) {
    case 'PlaceOrder': {
      const { orderId, customerId, items, currency } = command;
      const total = totalOf(items);
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
  const event = { id: randomUUID(), type, version, occurredAt: new Date().toISOString(), correlationId: command.correlationId, causationId: command.commandId, data };
  channel.publish(config.eventsExchange, type, Buffer.from(JSON.stringify(event)), { persistent: true, contentType: 'application/json' });
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
