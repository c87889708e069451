/**
 * Wrong: "re-subscribe when the connection is ready" — but the handler is registered every
 * time as well, and 'ready' also fires for the first connection. Two handlers: every order
 * gets two notifications.
 * Must fail: no-duplicates.
 */
import { Redis } from 'ioredis';
import { type Order, buildNotification, config } from '../../../labs/redis-pubsub-notifier/shop.js';

const subscriber = new Redis(config.redisUrl);
const publisher = new Redis(config.redisUrl);

let queue: Promise<void> = Promise.resolve();

async function start(): Promise<void> {
  subscriber.on('message', (_channel: string, message: string) => {
    queue = queue.then(async () => {
      const notification = await buildNotification(JSON.parse(message) as Order);
      await publisher.publish(config.notificationsChannel, JSON.stringify(notification));
    });
  });
  await subscriber.subscribe(config.ordersChannel);
}

subscriber.on('ready', () => void start());
await start();
