/**
 * Wrong (content): every event starts a new correlationId. The learner read "correlation
 * id" as "an id to correlate this event by" and made a fresh one per event; the command's
 * correlationId, the one that ties the three events of an order together, is lost.
 * Must fail: correlation-and-causation (correlation-wrong).
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
  const event = {
    id: randomUUID(),
    type,
    version,
    occurredAt: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: command.commandId,
    data,
  };
  channel.publish(config.eventsExchange, type, Buffer.from(JSON.stringify(event)), { persistent: true, contentType: 'application/json' });
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
