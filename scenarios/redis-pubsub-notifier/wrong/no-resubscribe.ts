/**
 * Wrong (state lost on reconnect): subscribes once at start, explicitly, and turns off
 * ioredis's automatic re-subscription ("I want to control my subscriptions myself"). ioredis
 * still reconnects after the lab cuts the connection, but a new connection subscribes to
 * nothing: every order after the cut is missed.
 * Must fail: resubscribed (never-resubscribed).
 */
import { Redis } from 'ioredis';
import { type Order, buildNotification, config } from '../../../labs/redis-pubsub-notifier/shop.js';

const subscriber = new Redis(config.redisUrl, { autoResubscribe: false });
const publisher = new Redis(config.redisUrl);

let queue: Promise<void> = Promise.resolve();
subscriber.on('message', (_channel: string, message: string) => {
  queue = queue
    .then(async () => {
      const notification = await buildNotification(JSON.parse(message) as Order);
      await publisher.publish(config.notificationsChannel, JSON.stringify(notification));
    })
    .catch((error: unknown) => console.error('could not notify:', error));
});

await subscriber.subscribe(config.ordersChannel);
