/**
 * Week 1: Redis Pub/Sub notifier. Read README.md in this folder first.
 * Grade this file with:  brokerlab check redis-pubsub-notifier
 */
import { Redis } from 'ioredis';
import { type Order, buildNotification, config } from './shop.js';

// A connection that has subscribed can only do Pub/Sub, so publishing needs a second one.
const subscriber = new Redis(config.redisUrl);
const publisher = new Redis(config.redisUrl);

// TODO 1: subscribe to config.ordersChannel.

// TODO 2: for every order message, build its notification with buildNotification(order)
//         and PUBLISH it as JSON on config.notificationsChannel, in the order the orders came.

void subscriber;
void publisher;
void buildNotification;
export type { Order };
