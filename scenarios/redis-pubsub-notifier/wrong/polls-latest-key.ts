/**
 * Wrong: polls the shop's "latest order" key instead of subscribing. Between two polls a
 * whole burst of orders can come and go; only the last one of each burst is seen.
 * Must fail: subscribed (and no-lost-messages).
 */
import { Redis } from 'ioredis';
import { type Order, buildNotification, config } from '../../../labs/redis-pubsub-notifier/shop.js';

const redis = new Redis(config.redisUrl);
let lastSeen: string | null = null;

setInterval(async () => {
  const latest = await redis.get(config.latestOrderKey);
  if (latest === null || latest === lastSeen) return;
  lastSeen = latest;
  const notification = await buildNotification(JSON.parse(latest) as Order);
  await redis.publish(config.notificationsChannel, JSON.stringify(notification));
}, 100);
