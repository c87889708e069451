/**
 * Week 1, Redis Pub/Sub notifier.
 *
 * The shop publishes each new order on ORDERS_CHANNEL (and, for its dashboard, keeps the
 * most recent one in LATEST_ORDER_KEY). The learner's program subscribes and, for each
 * order, publishes one notification on NOTIFICATIONS_CHANNEL: {"orderId", "text"}.
 * The lab publishes orders in bursts, listens on the notifications channel itself, and
 * samples PUBSUB NUMSUB to see whether anybody subscribed.
 *
 * Orders go out only after the learner has subscribed (Pub/Sub keeps nothing for absent
 * subscribers, so earlier messages would be lost by design, not by mistake). If nobody
 * subscribes within readyMs the lab publishes anyway, so a polling solution is graded.
 *
 * Then (ordersAfterCut > 0) the workload enters its "disconnect" phase, on which the
 * scenario's network fault cuts the program's connection to Redis for a moment; once the
 * program subscribed again, more orders go out: a notifier must survive losing its
 * connection, which in production happens at every broker restart or failover.
 */
import { observationsOf, recordObservation } from '../runner/observations.js';
import { producer } from './blocks/produce.js';
import { openRedis } from './blocks/redis.js';
import { type Workload, intOptions, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/redis-pubsub-notifier.js';

export interface PubSubOptions {
  orders: number;
  /** Orders published back to back in one burst. */
  burst: number;
  /** Pause between bursts. */
  burstGapMs: number;
  /** Every n-th order is from a VIP customer (whose loyalty lookup is slower). */
  vipEvery: number;
  /** Orders published after the scenario's network fault cut the program's connection
   *  (phase "disconnect"); 0: no second round. */
  ordersAfterCut: number;
  /** How long the program has to subscribe again after the cut healed. */
  resubscribeMs: number;
  /** Nothing is published for this long before the cut. */
  quietBeforeCutMs: number;
}

export const redisPubSubNotifier: Workload<PubSubOptions> = {
  name: 'redis-pubsub-notifier',
  parseOptions: (raw) => ({
    ...intOptions(raw, defaults),
  }),

  async prepare(ctx, o) {
    const redis = await openRedis(ctx);
    const names = { orders: redis.name('orders'), notifications: redis.name('notifications'), latest: redis.name('orders:latest') };

    await redis.listen(names.notifications, (message) => {
      let orderId: unknown;
      try {
        orderId = (JSON.parse(message) as { orderId?: unknown }).orderId;
      } catch {
        // recorded as a failed delivery below
      }
      ctx.history.record({
        process: 'lab',
        kind: 'consume',
        outcome: typeof orderId === 'string' ? 'ok' : 'fail',
        stream: 'notifications',
        ...(typeof orderId === 'string' ? { key: orderId } : {}),
        value: message.length > 300 ? `${message.slice(0, 300)}...` : message,
      });
    });

    // Pattern subscriptions other than the program's (other runs on this Redis) are counted
    // before it starts; a PSUBSCRIBE that covers the orders channel is a subscription too.
    const patternsBefore = await redis.patternSubscriptions();
    const subscribers = async (): Promise<number> => {
      const count = await redis.subscribers(names.orders);
      const patterns = Math.max(0, (await redis.patternSubscriptions()) - patternsBefore);
      recordObservation(ctx.history, 'pubsub-subscribers', { channel: 'orders', count, patterns });
      return count + patterns;
    };
    const notified = () =>
      new Set(ctx.history.history.filter((op) => op.kind === 'consume' && op.outcome === 'ok').map((op) => op.key)).size;
    // Orders go out through the producer: recorded, and open to `duplicate` and `poison`.
    const orders = producer(ctx, {
      stream: 'orders',
      inlets: {
        orders: async (m) => {
          await redis.client.set(names.latest, m.body);
          return { recorded: { receivers: await redis.client.publish(names.orders, m.body) } };
        },
      },
    });

    return {
      env: {
        REDIS_URL: redis.url,
        ORDERS_CHANNEL: names.orders,
        NOTIFICATIONS_CHANNEL: names.notifications,
        LATEST_ORDER_KEY: names.latest,
      },
      async awaitReady() {
        // Soft: a solution that never subscribes is still graded (it fails "subscribed").
        await waitUntil(async () => (await subscribers()) > 0, ctx.timeouts.readyMs, ctx.signal, 250);
      },
      async run() {
        let sent = 0;
        const publishOrders = async (count: number, round: number): Promise<void> => {
          for (let n = 0; n < count && !ctx.signal.aborted; n++) {
            const i = ++sent;
            const vip = o.vipEvery > 0 && i % o.vipEvery === 0;
            const order = {
              orderId: messageId('order', i),
              customer: `customer-${(i * 7) % 23}`,
              vip,
              total: ((i * 13) % 200) + 5,
            };
            // `tier` is what buildNotification's loyalty lookup answers: the contract check
            // recomputes the notification's text from it.
            if (!(await orders.send(order.orderId, order, { tags: vip ? ['vip'] : [], record: { tier: vip ? 'gold' : 'standard', round } }))) {
              throw new Error(`the lab could not publish ${order.orderId} on Redis (its error is in the history)`);
            }
            if (i % o.burst === 0) await sleep(o.burstGapMs, ctx.signal);
          }
          await waitUntil(() => notified() >= sent, ctx.timeouts.drainMs, ctx.signal, 50);
          // A short quiet period catches late duplicates.
          await sleep(300, ctx.signal);
        };

        ctx.progress(`publishing ${o.orders} orders in bursts of ${o.burst}`);
        await publishOrders(o.orders, 1);
        // A program that never subscribed has no connection worth cutting: round 2 would only
        // make its verdict wait (resubscribed is then undecided, subscribed has failed).
        const everSubscribed = observationsOf(ctx.history.history, 'pubsub-subscribers').some((op) => op.value.count + (op.value.patterns ?? 0) > 0);
        if ((await subscribers()) === 0 && !everSubscribed) return;
        if (o.ordersAfterCut > 0) {
          // A quiet spell first, as in any shop at night: a notifier must still be there after it.
          await sleep(o.quietBeforeCutMs, ctx.signal);
          // The scenario's network fault cuts the program's connection on this phase; Pub/Sub
          // keeps nothing for a client that is not subscribed, so the next orders go out only
          // once it subscribed again (or the bound passed, and they are lost to it).
          ctx.progress('cutting your program\'s connection to Redis; it must subscribe again');
          await ctx.phase('disconnect');
          await ctx.faultsSettled();
          await waitUntil(async () => (await subscribers()) > 0, o.resubscribeMs, ctx.signal, 100);
          ctx.progress(`publishing ${o.ordersAfterCut} more orders`);
          await publishOrders(o.ordersAfterCut, 2);
          await subscribers();
        }
      },
      async collect() {},
    };
  },
};
