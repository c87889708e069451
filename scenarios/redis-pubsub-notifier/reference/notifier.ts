/**
 * Reference solution: subscribe, and publish notifications strictly one after another so
 * that a slow VIP lookup cannot let later orders overtake it.
 */
import { Redis } from 'ioredis';
import { type Order, buildNotification, config } from '../../../labs/redis-pubsub-notifier/shop.js';

const subscriber = new Redis(config.redisUrl);
const publisher = new Redis(config.redisUrl);

let queue: Promise<void> = Promise.resolve();

subscriber.on('message', (_channel: string, message: string) => {
  queue = queue
    .then(async () => {
      const order = JSON.parse(message) as Order;
      const notification = await buildNotification(order);
      await publisher.publish(config.notificationsChannel, JSON.stringify(notification));
    })
    .catch((error: unknown) => console.error('could not notify:', error));
});

await subscriber.subscribe(config.ordersChannel);
console.log(`subscribed to ${config.ordersChannel}`);
