/**
 * Given code for this exercise: the order format, where things are, and the calls to the
 * lab's five services (three steps, two compensations). You don't need to change this file.
 */

/** An order as the shop places it on ORDERS_QUEUE (a JSON body; its messageId is the orderId). */
export interface Order {
  orderId: string;
  customer: string;
  items: Array<{ sku: string; qty: number }>;
  amountCents: number;
}

/** What your program publishes to ORDER_STATUS_QUEUE once an order is over (JSON). */
export interface OrderStatus {
  orderId: string;
  status: 'completed' | 'cancelled';
  /** Why it was cancelled ("card declined"): optional, for the customer service. */
  reason?: string;
}

/** Where things are: the lab sets these for every run. */
export const config = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  /** The shop places orders here; your program consumes it. */
  ordersQueue: process.env.ORDERS_QUEUE ?? 'orders',
  /** Where every order ends: {"orderId", "status"} (the lab consumes it). */
  orderStatusQueue: process.env.ORDER_STATUS_QUEUE ?? 'order-status',
  reserveStockUrl: process.env.RESERVE_STOCK_URL ?? 'http://127.0.0.1:8080/stock/reservations',
  chargePaymentUrl: process.env.CHARGE_PAYMENT_URL ?? 'http://127.0.0.1:8081/payments/charges',
  bookShipmentUrl: process.env.BOOK_SHIPMENT_URL ?? 'http://127.0.0.1:8082/shipments',
  refundPaymentUrl: process.env.REFUND_PAYMENT_URL ?? 'http://127.0.0.1:8083/payments/refunds',
  releaseStockUrl: process.env.RELEASE_STOCK_URL ?? 'http://127.0.0.1:8084/stock/releases',
};

/**
 * What a call to a service came to:
 * - ok: it was done (or, with an idempotency key the service already did, replayed);
 * - refused: a final "no" (402 card declined, 422 address not deliverable): trying again
 *   gives the same answer;
 * - anything else (a 503 "busy", a 500, no answer): it may work next time.
 */
export type CallResult = { ok: true } | { ok: false; refused: boolean; status: number; error: string };

/**
 * The steps, in order, and the compensations that undo them. Each takes the order and an
 * idempotency key: the service does each key once (per order) and answers a repeat of it as
 * it did the first time, doing nothing more. Without a key, every call is done again.
 */
export const reserveStock = (order: Order, idempotencyKey?: string) => call(config.reserveStockUrl, { orderId: order.orderId, items: order.items, idempotencyKey });
export const chargePayment = (order: Order, idempotencyKey?: string) => call(config.chargePaymentUrl, { orderId: order.orderId, amountCents: order.amountCents, idempotencyKey });
export const bookShipment = (order: Order, idempotencyKey?: string) => call(config.bookShipmentUrl, { orderId: order.orderId, customer: order.customer, idempotencyKey });
/** Undoes chargePayment: pays the amount back. */
export const refundPayment = (order: Order, idempotencyKey?: string) => call(config.refundPaymentUrl, { orderId: order.orderId, amountCents: order.amountCents, idempotencyKey });
/** Undoes reserveStock: puts the items back on the shelf. */
export const releaseStock = (order: Order, idempotencyKey?: string) => call(config.releaseStockUrl, { orderId: order.orderId, items: order.items, idempotencyKey });

/** POSTs the body as JSON. Never throws. */
async function call(url: string, body: Record<string, unknown>): Promise<CallResult> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = (await response.json().catch(() => ({}))) as { error?: string };
    if (response.ok) return { ok: true };
    return { ok: false, refused: response.status === 402 || response.status === 422, status: response.status, error: answer.error ?? `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, refused: false, status: 0, error: String(error) };
  }
}
