/**
 * Wrong: collects notifications and publishes them every 2 seconds "to save round trips".
 * Nothing is lost and the order is kept, but a customer waits up to two seconds.
 * Must fail: latency.
 */
import { Redis } from 'ioredis';
import { type Notification, type Order, buildNotification, config } from '../../../labs/redis-pubsub-notifier/shop.js';

const subscriber = new Redis(config.redisUrl);
const publisher = new Redis(config.redisUrl);

let queue: Promise<void> = Promise.resolve();
let batch: Notification[] = [];

subscriber.on('message', (_channel: string, message: string) => {
  queue = queue.then(async () => {
    batch.push(await buildNotification(JSON.parse(message) as Order));
  });
});

setInterval(() => {
  const sending = batch;
  batch = [];
  const pipeline = publisher.pipeline();
  for (const notification of sending) pipeline.publish(config.notificationsChannel, JSON.stringify(notification));
  void pipeline.exec();
}, 2_000);

await subscriber.subscribe(config.ordersChannel);
