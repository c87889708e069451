/**
 * Wrong: handles each message in an async handler without waiting for the previous one.
 * VIP lookups are slower, so later orders overtake them.
 * Must fail: in-order.
 */
import { Redis } from 'ioredis';
import { type Order, buildNotification, config } from '../../../labs/redis-pubsub-notifier/shop.js';

const subscriber = new Redis(config.redisUrl);
const publisher = new Redis(config.redisUrl);

subscriber.on('message', async (_channel: string, message: string) => {
  const notification = await buildNotification(JSON.parse(message) as Order);
  await publisher.publish(config.notificationsChannel, JSON.stringify(notification));
});

await subscriber.subscribe(config.ordersChannel);
