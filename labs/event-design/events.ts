/**
 * Given code for this exercise: the commands your service receives, the events it publishes
 * (TypeScript types only: building the envelope is your job), and where things are.
 * You don't need to change this file. The JSON Schemas in schemas/ are the contract; these
 * types say the same thing for your editor.
 */

// --- commands: what arrives on COMMANDS_QUEUE (JSON; also the message's messageId and type) --

export interface OrderItem {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export interface PlaceOrder {
  type: 'PlaceOrder';
  /** This command's own id. The event it causes names it as its causationId. */
  commandId: string;
  /** The flow's id: the same on the three commands of one order. */
  correlationId: string;
  orderId: string;
  customerId: string;
  items: OrderItem[];
  total: number;
  currency: string;
  /** Present in the evolution step: publish order.placed in this version (2). Absent: 1. */
  schemaVersion?: number;
}

export interface PayOrder {
  type: 'PayOrder';
  commandId: string;
  correlationId: string;
  orderId: string;
  amount: number;
  currency: string;
  paymentMethod: string;
}

export interface ShipOrder {
  type: 'ShipOrder';
  commandId: string;
  correlationId: string;
  orderId: string;
  carrier: string;
  trackingNumber: string;
}

export type Command = PlaceOrder | PayOrder | ShipOrder;

// --- events: what your service publishes on EVENTS_EXCHANGE -----------------------------

/** The envelope every event has (schemas/envelope.schema.json). */
export interface Envelope<Type extends string, Version extends number, Data> {
  /** A UUID of this event's own. */
  id: string;
  /** What happened, past tense, dot.case; also the routing key. */
  type: Type;
  /** The version of the data's schema. */
  version: Version;
  /** ISO 8601 with a time zone: new Date().toISOString(). */
  occurredAt: string;
  /** The command's correlationId. */
  correlationId: string;
  /** The command's commandId. */
  causationId: string;
  data: Data;
}

/** schemas/order.placed.v1.schema.json */
export interface OrderPlacedV1Data {
  orderId: string;
  customerId: string;
  items: OrderItem[];
  total: number;
}

/** schemas/order.placed.v2.schema.json: version 1, plus currency. */
export interface OrderPlacedV2Data extends OrderPlacedV1Data {
  currency: string;
}

/** schemas/order.paid.v1.schema.json */
export interface OrderPaidV1Data {
  orderId: string;
  amount: number;
  paymentMethod: string;
}

/** schemas/order.shipped.v1.schema.json */
export interface OrderShippedV1Data {
  orderId: string;
  carrier: string;
  trackingNumber: string;
}

export type OrderPlacedV1 = Envelope<'order.placed', 1, OrderPlacedV1Data>;
export type OrderPlacedV2 = Envelope<'order.placed', 2, OrderPlacedV2Data>;
export type OrderPaidV1 = Envelope<'order.paid', 1, OrderPaidV1Data>;
export type OrderShippedV1 = Envelope<'order.shipped', 1, OrderShippedV1Data>;

export type DomainEvent = OrderPlacedV1 | OrderPlacedV2 | OrderPaidV1 | OrderShippedV1;

/** Where things are: the lab sets these for every run. */
export const config = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  commandsQueue: process.env.COMMANDS_QUEUE ?? 'commands',
  eventsExchange: process.env.EVENTS_EXCHANGE ?? 'shop.events',
  /** 1 or 2: two copies of your service run at once. */
  instanceId: process.env.INSTANCE_ID ?? '1',
};

/** A command from a message body. Throws on a body that is not JSON. */
export function parseCommand(content: Buffer): Command {
  return JSON.parse(content.toString()) as Command;
}
