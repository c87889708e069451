/**
 * Wrong (content): builds its own notification instead of calling buildNotification ("the
 * loyalty lookup is slow, skip it"). The JSON has the right fields, in order and on time,
 * but the text leaves out the order's total and the customer's tier.
 * Must fail: output-contract (wrong-content).
 */
import { Redis } from 'ioredis';
import { type Notification, type Order, config } from '../../../labs/redis-pubsub-notifier/shop.js';

const subscriber = new Redis(config.redisUrl);
const publisher = new Redis(config.redisUrl);

subscriber.on('message', (_channel: string, message: string) => {
  const order = JSON.parse(message) as Order;
  const notification: Notification = { orderId: order.orderId, text: `Thank you for order ${order.orderId}!` };
  void publisher.publish(config.notificationsChannel, JSON.stringify(notification));
});

await subscriber.subscribe(config.ordersChannel);
