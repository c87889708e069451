/**
 * Week 3, event design: envelope, naming, JSON Schema, evolution.
 *
 * The lab declares COMMANDS_QUEUE and EVENTS_EXCHANGE (a durable topic exchange), then sends
 * the learner's service commands (PlaceOrder, PayOrder, ShipOrder; each with a commandId and
 * its order's correlationId) and listens to every event the service publishes on the
 * exchange: its own queue is bound with "#", so an event with a wrong routing key is still
 * seen (and its routing key recorded) instead of lost from sight.
 *
 * Two copies of the service run (INSTANCE_ID 1 and 2), and the commands go out only once
 * both consume, so RabbitMQ hands them out in turn: ids that only one copy keeps unique (a
 * counter, a seeded generator) collide every run.
 *
 * Two phases, each drained until every command has an event (or nothing arrives for a while):
 * 1. `ordersV1` orders, every command asks for version 1 (no schemaVersion);
 * 2. the evolution step: `ordersV2` more orders whose PlaceOrder says "schemaVersion": 2, so
 *    order.placed must be version 2 (adds currency) and still readable by version 1 readers.
 *
 * Recorded: each command as a `produce` on "commands" (key: commandId, value: the command as
 * sent); each event as a `consume` on "events" (key: its id when it has one, value:
 * { routingKey, body }). The checks are in checks/events.ts.
 */
import type { Channel } from 'amqplib';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { openRabbit } from './blocks/rabbitmq.js';
import { type Workload, type WorkloadContext, intOption, intOptions, LearnerNotReadyError, messageId, sleep, waitUntil } from './types.js';
import { defaults } from './options/event-design.js';

export interface EventDesignOptions {
  /** Orders (three commands each) whose events are all version 1. */
  ordersV1: number;
  /** Orders of the evolution step: their PlaceOrder asks for schemaVersion 2. */
  ordersV2: number;
  /** A phase's drain ends once no event arrived for this long (a command that never gets
   *  its event never will). */
  quietMs: number;
  /** After the last phase: how long a late or extra event still has to arrive. */
  settleMs: number;
}

const SKUS = ['SKU-KETTLE', 'SKU-MUG', 'SKU-TEAPOT', 'SKU-FILTER', 'SKU-SPOON', 'SKU-TRAY'];
const CURRENCIES = ['EUR', 'USD', 'GBP'];
const PAYMENT_METHODS = ['card', 'paypal', 'invoice'];
const CARRIERS = ['DHL', 'UPS', 'PostNL'];

export const eventDesign: Workload<EventDesignOptions> = {
  name: 'event-design',
  parseOptions: (raw) => ({
    ordersV1: intOption(raw, 'ordersV1', 6),
    ordersV2: intOption(raw, 'ordersV2', 6),
    ...intOptions(raw, defaults),
  }),

  async prepare(ctx: WorkloadContext, o) {
    const rabbit = await openRabbit(ctx);
    const COMMANDS_QUEUE = rabbit.name('commands');
    const EVENTS_EXCHANGE = rabbit.name('shop.events');
    const OBSERVER_QUEUE = rabbit.name('lab.event-observer');

    // The lab owns the topology: the service only consumes and publishes.
    const setup = await rabbit.connection.createChannel();
    await setup.assertQueue(COMMANDS_QUEUE, { durable: true });
    await setup.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
    await setup.close();

    let events = 0;
    let commandsSent = 0;
    // Commands go out through the producer: recorded, and open to `duplicate` and `poison`.
    const commands = producer(ctx, {
      stream: 'commands',
      inlets: { commands: (m) => rabbit.publish('', COMMANDS_QUEUE, m.body, { messageId: m.key, contentType: 'application/json', ...(m.extra ?? {}) }) },
    });
    const observer: Channel = await rabbit.connection.createChannel();
    observer.on('error', () => {});
    await observer.assertQueue(OBSERVER_QUEUE, { exclusive: true, durable: false });
    await observer.bindQueue(OBSERVER_QUEUE, EVENTS_EXCHANGE, '#');
    const { consumerTag } = await observer.consume(
      OBSERVER_QUEUE,
      (message) => {
        if (message === null) return;
        const body = message.content.toString();
        let id: string | undefined;
        try {
          const parsed = JSON.parse(body) as { id?: unknown };
          if (typeof parsed?.id === 'string') id = parsed.id;
        } catch {
          // not JSON: recorded without a key; events-follow-schema says so
        }
        events++;
        ctx.history.record({ process: 'lab', kind: 'consume', outcome: 'ok', stream: 'events', ...(id ? { key: id } : {}), value: { routingKey: message.fields.routingKey, body } });
      },
      { noAck: true },
    );

    const random = ctx.random('orders');
    const pick = <T>(list: readonly T[]): T => list[random.int(0, list.length - 1)] as T;
    let orderCount = 0;
    let commandCount = 0;
    const send = async (command: Record<string, unknown> & { type: string; correlationId: string }): Promise<void> => {
      const commandId = messageId('cmd', ++commandCount);
      const { type, ...fields } = command;
      const body = { type, commandId, ...fields };
      // The wall clock just before sending: no event of this command can have happened earlier.
      const sentAtWall = Date.now();
      if (await commands.send(commandId, body, { record: { sentAtWall }, extra: { correlationId: command.correlationId, type: command.type } })) commandsSent++;
    };
    /** One order's three commands, one flow: the same correlationId on each. */
    const order = async (schemaVersion?: number): Promise<void> => {
      const n = ++orderCount;
      const orderId = messageId('order', n);
      const correlationId = messageId('corr', n);
      // Two or three lines, the first with a quantity above 1: a total is never a plain sum of prices.
      const items = Array.from({ length: random.int(2, 3) }, (_, i) => ({ sku: pick(SKUS), quantity: i === 0 ? random.int(2, 4) : random.int(1, 3), unitPrice: random.int(150, 4_999) / 100 }));
      const total = Math.round(items.reduce((sum, item) => sum + item.quantity * item.unitPrice * 100, 0)) / 100;
      const currency = pick(CURRENCIES);
      await send({ type: 'PlaceOrder', correlationId, orderId, customerId: `customer-${String(random.int(1, 40)).padStart(2, '0')}`, items, total, currency, ...(schemaVersion === undefined ? {} : { schemaVersion }) });
      await send({ type: 'PayOrder', correlationId, orderId, amount: total, currency, paymentMethod: pick(PAYMENT_METHODS) });
      await send({ type: 'ShipOrder', correlationId, orderId, carrier: pick(CARRIERS), trackingNumber: `TRK-${random.int(10_000_000, 99_999_999)}` });
    };
    const consumers = async () => (await rabbit.probeQueue(COMMANDS_QUEUE))?.consumerCount ?? 0;
    // Each phase waits for as many new events as it sent commands (a service that sends two
    // per command must not end the next phase's wait before that phase's events are in).
    let eventsBefore = 0;
    let commandsBefore = 0;
    const startPhase = () => {
      eventsBefore = events;
      commandsBefore = commandsSent;
    };
    const settled = () => events - eventsBefore >= commandsSent - commandsBefore;

    return {
      env: { AMQP_URL: rabbit.url, COMMANDS_QUEUE, EVENTS_EXCHANGE },
      async awaitReady() {
        // Both copies, so that both get commands (see the top of this file).
        if (!(await waitUntil(async () => (await consumers()) >= ctx.instances, ctx.timeouts.readyMs, ctx.signal, 100))) {
          const n = await consumers();
          throw new LearnerNotReadyError(
            n === 0
              ? `nobody consumed from COMMANDS_QUEUE ("${COMMANDS_QUEUE}") within ${ctx.timeouts.readyMs / 1000}s`
              : `only ${n} of the ${ctx.instances} copies of your service consumed from COMMANDS_QUEUE within ${ctx.timeouts.readyMs / 1000}s`,
            'Connect to AMQP_URL and consume from COMMANDS_QUEUE right away (it exists already; do not consume it exclusively: two copies of your service share it).',
          );
        }
      },
      async run() {
        await ctx.phase('v1');
        startPhase();
        ctx.progress(`phase 1: ${o.ordersV1} orders, ${o.ordersV1 * 3} commands, every event version 1`);
        for (let i = 0; i < o.ordersV1; i++) await order();
        await drain(ctx, { done: settled, progress: () => String(events), quietMs: o.quietMs });

        await ctx.phase('v2');
        startPhase();
        ctx.progress(`phase 2 (evolution): ${o.ordersV2} orders whose PlaceOrder asks for order.placed version 2`);
        for (let i = 0; i < o.ordersV2; i++) await order(2);
        await drain(ctx, { done: settled, progress: () => String(events), quietMs: o.quietMs });
        // A second event for one command, or a late one, shows up here.
        await sleep(o.settleMs, ctx.signal);
      },
      async collect() {
        // The service is stopped: whatever it published is in. Nothing later is graded.
        await observer.cancel(consumerTag).catch(() => {});
        // Each command is acked once its event is out: none may be back in the queue.
        await rabbit.recordLeftAfterStop('COMMANDS_QUEUE', COMMANDS_QUEUE, commandsSent);
      },
    };
  },
};
