/**
 * Given code for this exercise: the shop's message formats, where things are, and the calls
 * to the lab's payments and shipping APIs. You don't need to change this file.
 */

/** An order as the shop places it on ORDERS_QUEUE (JSON body; its messageId is the orderId,
 *  its correlationId property the same as the body's). */
export interface Order {
  orderId: string;
  /** Identifies this order's whole flow: every event and call about it carries this one. */
  correlationId: string;
  customer: string;
  items: Array<{ sku: string; qty: number; price: number }>;
  /** What to charge: the sum of qty * price. */
  total: number;
}

/** The events of the chain. The three between your services are yours to shape (these are a
 *  suggestion); the last two go to ORDER_STATUS_QUEUE and must look exactly like this. */
export interface OrderPlaced {
  type: 'order.placed';
  orderId: string;
  correlationId: string;
  amount: number;
}
export interface OrderPaid {
  type: 'order.paid';
  orderId: string;
  correlationId: string;
  chargeId: string;
}
export interface OrderShipped {
  type: 'order.shipped';
  orderId: string;
  correlationId: string;
  shipmentId: string;
}
export interface OrderFailed {
  type: 'order.failed';
  orderId: string;
  correlationId: string;
  /** Why, for the customer service: "card declined". */
  reason: string;
}

/** Where things are: the lab sets these for every run (one copy of your program per role). */
export const config = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  /** This copy's part: "order-service", "payment-service" or "shipping-service". */
  role: process.env.ROLE ?? '',
  /** Which copy this is: 1, 2, 3. */
  instanceId: process.env.INSTANCE_ID ?? '1',
  /** The shop places orders here; the order service consumes it. */
  ordersQueue: process.env.ORDERS_QUEUE ?? 'orders',
  /** The payment service consumes it. */
  paymentsQueue: process.env.PAYMENTS_QUEUE ?? 'payments',
  /** The shipping service consumes it. */
  shippingQueue: process.env.SHIPPING_QUEUE ?? 'shipping',
  /** Where every order ends: its order.shipped or order.failed event (the lab consumes it). */
  orderStatusQueue: process.env.ORDER_STATUS_QUEUE ?? 'order-status',
  paymentsApiUrl: process.env.PAYMENTS_API_URL ?? 'http://127.0.0.1:8080',
  shippingApiUrl: process.env.SHIPPING_API_URL ?? 'http://127.0.0.1:8081',
};

/** What to charge, for which order, in which flow; the idempotency key makes a repeated
 *  charge (the same message again, after a crash) a replay instead of a second payment. */
export interface Payment {
  orderId: string;
  correlationId: string;
  amount: number;
  idempotencyKey: string;
}

export type ChargeResult =
  | { ok: true; chargeId: string }
  /** The card was declined (402): final, trying again gives the same answer. */
  | { ok: false; declined: true; error: string }
  /** Anything else (no answer, 5xx): may work next time. */
  | { ok: false; declined: false; error: string };

/** Charges the customer through the payments API. Never throws. */
export async function charge(payment: Payment): Promise<ChargeResult> {
  try {
    const response = await post(`${config.paymentsApiUrl}/charges`, payment);
    const body = (await response.json().catch(() => ({}))) as { chargeId?: string; error?: string };
    if (response.ok) return { ok: true, chargeId: body.chargeId ?? '' };
    return { ok: false, declined: response.status === 402, error: body.error ?? `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, declined: false, error: String(error) };
  }
}

export interface Shipment {
  orderId: string;
  correlationId: string;
}

export type ShipResult = { ok: true; shipmentId: string } | { ok: false; error: string };

/** Books the shipment through the shipping API. Never throws. */
export async function ship(shipment: Shipment): Promise<ShipResult> {
  try {
    const response = await post(`${config.shippingApiUrl}/shipments`, shipment);
    const body = (await response.json().catch(() => ({}))) as { shipmentId?: string; error?: string };
    return response.ok ? { ok: true, shipmentId: body.shipmentId ?? '' } : { ok: false, error: body.error ?? `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}

function post(url: string, body: object): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-instance-id': config.instanceId },
    body: JSON.stringify(body),
  });
}
