/**
 * Week 3: event design. A service that turns commands into well-formed events.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check event-design
 */
import amqp from 'amqplib';
import { type Command, config, parseCommand } from './events.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();
// COMMANDS_QUEUE and EVENTS_EXCHANGE exist already: the lab declared them.

await channel.consume(config.commandsQueue, (message) => {
  if (message === null) return;
  const command: Command = parseCommand(message.content);
  console.log('received', command.type, command.commandId);
  // TODO 1: build the event this command calls for (PlaceOrder -> order.placed, PayOrder ->
  //         order.paid, ShipOrder -> order.shipped): the envelope of schemas/envelope.schema.json
  //         around the data of schemas/<type>.v<version>.schema.json.
  // TODO 2: the evolution step: a PlaceOrder with "schemaVersion": 2 gets order.placed version 2.
  // TODO 3: publish it to config.eventsExchange, with its type as the routing key.
  channel.ack(message);
});

process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
