/**
 * Given code for this exercise: the shop's order format and how a notification is built.
 * You don't need to change this file.
 */

/** An order as the shop publishes it on ORDERS_CHANNEL (JSON). */
export interface Order {
  orderId: string;
  customer: string;
  vip: boolean;
  total: number;
}

/** What your program publishes on NOTIFICATIONS_CHANNEL (JSON), one per order. */
export interface Notification {
  orderId: string;
  text: string;
}

/** Looks up a customer's loyalty tier. For VIP customers this asks another service, so it
 *  takes a little while; for everyone else it answers at once. */
export async function loyaltyTier(order: Order): Promise<string> {
  if (!order.vip) return 'standard';
  await new Promise((resolve) => setTimeout(resolve, 20));
  return 'gold';
}

export async function buildNotification(order: Order): Promise<Notification> {
  const tier = await loyaltyTier(order);
  return { orderId: order.orderId, text: `Thank you for order ${order.orderId} (${order.total} EUR), dear ${tier} customer!` };
}

/** Where things are: the lab sets these for every run. */
export const config = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  ordersChannel: process.env.ORDERS_CHANNEL ?? 'orders',
  notificationsChannel: process.env.NOTIFICATIONS_CHANNEL ?? 'notifications',
  latestOrderKey: process.env.LATEST_ORDER_KEY ?? 'orders:latest',
};
