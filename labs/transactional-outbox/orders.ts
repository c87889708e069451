/**
 * Given helper code: where things are (from the environment the lab sets), and the shapes of
 * an order command and of the event the relay publishes. You need not change this file.
 */

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this program with brokerlab check`);
  return value;
}

export const config = {
  /** "service" (copy 1) or "relay" (copy 2). */
  role: required('ROLE'),
  amqpUrl: required('AMQP_URL'),
  /** The queue the lab sends order commands to. */
  ordersQueue: required('ORDERS_QUEUE'),
  /** The topic exchange the relay publishes events to (the lab declared it). */
  eventsExchange: required('EVENTS_EXCHANGE'),
  /** This run's own PostgreSQL database; the orders and outbox tables are in it. */
  databaseUrl: required('DATABASE_URL'),
};

/** The routing key and type of every event. */
export const ROUTING_KEY = 'order.placed';
export const EVENT_TYPE = 'OrderPlaced';

/** A command on ORDERS_QUEUE. amountCents <= 0 is invalid: the orders table refuses it. */
export interface OrderCommand {
  orderId: string;
  customer: string;
  amountCents: number;
}

/** What the relay publishes: the outbox row's event_id and type, and the order's fields. */
export interface OrderPlaced {
  eventId: string;
  type: typeof EVENT_TYPE;
  orderId: string;
  customer: string;
  amountCents: number;
}

/** PostgreSQL's error code for a CHECK constraint that refused a row (an invalid order). */
export const CHECK_VIOLATION = '23514';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
