/**
 * Given code for this exercise: where things are, the order format, and the call to the
 * order-status service. You don't need to change this file.
 */

/** An order, as it arrives on ORDER_QUEUE (JSON body; its messageId is the orderId). */
export interface Order {
  orderId: string;
  customer: string;
  totalCents: number;
}

/** Where things are: the lab sets these for every run. */
export const config = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  orderQueue: process.env.ORDER_QUEUE ?? 'orders',
  statusApiUrl: process.env.STATUS_API_URL ?? 'http://127.0.0.1:8080',
  /** The most order ids the service takes in one call. */
  maxBatch: 100,
};

/** Tells the order-status service that these orders (1 to config.maxBatch of them) are
 *  accepted, in one call, and waits for its answer: about 5 ms, a little more for a big
 *  call. Throws when the service refuses the call (400, with the reason). */
export async function markAccepted(orderIds: string[]): Promise<void> {
  const response = await fetch(`${config.statusApiUrl}/statuses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'accepted', orderIds }),
  });
  if (!response.ok) throw new Error(`order-status service answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}
