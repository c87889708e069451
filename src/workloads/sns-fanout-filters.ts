/**
 * Week 7, SNS fan-out to SQS with filter policies: an order-events topic.
 *
 * The lab creates ORDER_INBOX_URL (a queue on moto's SQS) and feeds it orders, each a JSON
 * object {"orderId", "customer", "country", "region", "amount", "currency", "fulfilment"}.
 * The learner's program creates the topic ORDER_TOPIC_NAME and the queues of the table (their
 * names in the environment), subscribes each queue with its filter policy and delivery
 * format (`subscriptions`: raw or the SNS envelope), then publishes every order of the inbox
 * to the topic, unchanged, with the message attributes the policies filter on
 * (`attributes`: each the order's field of that name, with its DataType), and deletes it from
 * the inbox once published.
 *
 * The orders are scenario data (`orders`), chosen so each plausible mistake changes what
 * some queue receives (test/checks/sns-fanout-filters.test.ts proves it): eu and non-eu,
 * amounts below, at and above the billing threshold, physical and digital.
 *
 * Two phases, each the whole list of orders:
 * 1. the orders, then a drain until the inbox is empty (nothing visible, nothing in flight);
 * 2. "restart", entered the moment the inbox is empty: the scenario's kill-learner fault kills
 *    the program and restarts it; once it is back the lab feeds the orders again. A program
 *    that deleted orders from the inbox before publishing them still has publishes to make at
 *    that moment (the scenario's network latency between the program and moto, on while
 *    phase 1 is fed, makes them take a while), so the kill loses them (never-published). A
 *    program that starts by deleting and recreating or emptying its queues throws away what
 *    phase 1 left in them (lost-on-restart).
 *
 * After the program stopped, the lab reads the topic's subscriptions (an "sns-subscriptions"
 * observation: for the diagnosis) and takes everything out of every queue of the table: one
 * `consume` per copy, its stream the queue's role, its key the order id, its value the
 * format ("raw" or "envelope") and the message attributes the copy carried.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { Attribute, AttributeType, SubscriptionSpec } from '../checks/sns-fanout.js';
import { recordObservation } from '../runner/observations.js';
import { drain } from './blocks/drain.js';
import { producer } from './blocks/produce.js';
import { openSns } from './blocks/sns.js';
import { LearnerNotReadyError, type Workload, type WorkloadContext, intOptions, jsonObject, sleep, waitUntil } from './types.js';
import { defaults } from './options/sns-fanout-filters.js';

/** One order of the list: its id in the run is "<id>-<phase>". */
export interface OrderProbe {
  id: string;
  region: string;
  country: string;
  amount: number;
  fulfilment: string;
}

export interface SnsFanoutOptions {
  /** The table: each queue (its role) with its filter policy and delivery format. */
  subscriptions: SubscriptionSpec[];
  /** The message attributes every order is published with: name -> DataType. */
  attributes: Record<string, AttributeType>;
  /** The orders fed in each phase. */
  orders: OrderProbe[];
  /** Once the topic exists, how long the lab waits for all subscriptions before it feeds orders. */
  readyGraceMs: number;
  /** The inbox's VisibilityTimeout: an order received and not deleted is back this soon. */
  inboxVisibilitySeconds: number;
  /** The drain ends once nothing moved for this long: longer than the inbox's visibility timeout,
   *  and than a restarted program takes to start consuming again (every program empties the
   *  inbox, so a run ends on that, not on quiet). */
  quietMs: number;
  /** After the inbox emptied, how long the last publishes get to land. */
  settleMs: number;
}

/** The variable a queue's name is given in: "eu-shipping" -> EU_SHIPPING_QUEUE_NAME. */
export function queueVariable(role: string): string {
  return `${role.toUpperCase().replace(/-/g, '_')}_QUEUE_NAME`;
}

const CUSTOMERS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];

/** A copy read out of a queue: the order id, its format and the attributes it carried; when it
 *  is not an order, the start of what was published (the body, or the envelope's Message). */
export function readCopy(message: Message): { orderId?: string; format: 'raw' | 'envelope'; attributes: Record<string, Attribute>; body?: string } {
  // Not a JSON object (not JSON, a string, null): no order id.
  const body = jsonObject(message.Body ?? '') ?? {};
  if (body.Type === 'Notification' && typeof body.Message === 'string') {
    const order = jsonObject(body.Message) ?? {};
    const attributes: Record<string, Attribute> = {};
    for (const [name, a] of Object.entries((body.MessageAttributes ?? {}) as Record<string, { Type?: string; Value?: string }>)) attributes[name] = { type: a.Type ?? '', value: a.Value ?? '' };
    return { ...(typeof order.orderId === 'string' ? { orderId: order.orderId } : { body: body.Message.slice(0, 160) }), format: 'envelope', attributes };
  }
  const attributes: Record<string, Attribute> = {};
  for (const [name, a] of Object.entries(message.MessageAttributes ?? {})) attributes[name] = { type: a.DataType ?? '', value: a.StringValue ?? '' };
  return { ...(typeof body.orderId === 'string' ? { orderId: body.orderId } : { body: (message.Body ?? '').slice(0, 160) }), format: 'raw', attributes };
}

export const snsFanoutFilters: Workload<SnsFanoutOptions> = {
  name: 'sns-fanout-filters',
  parseOptions(raw) {
    const subscriptions = raw.subscriptions as SubscriptionSpec[] | undefined;
    const orders = raw.orders as OrderProbe[] | undefined;
    const attributes = raw.attributes as Record<string, AttributeType> | undefined;
    if (!Array.isArray(subscriptions) || subscriptions.length === 0 || !subscriptions.every((s) => typeof s.queue === 'string')) throw new Error('"subscriptions" must be a non-empty list of {"queue", "filterPolicy"?, "raw"}');
    if (!Array.isArray(orders) || orders.length === 0) throw new Error('"orders" must be a non-empty list of {"id", "region", "country", "amount", "fulfilment"}');
    if (typeof attributes !== 'object' || attributes === null) throw new Error('"attributes" must map attribute names to "String" or "Number"');
    return { subscriptions, orders, attributes, ...intOptions(raw, defaults) };
  },

  async prepare(ctx: WorkloadContext, o) {
    const sns = await openSns(ctx);
    const topicName = sns.name('order-events');
    const roles = o.subscriptions.map((s) => s.queue);
    const queueName = new Map(roles.map((role) => [role, sns.name(role)]));
    const roleOf = new Map(roles.map((role) => [sns.name(role), role]));
    // A short visibility timeout: a long poll the killed program left open on moto still takes
    // the next order, which must come back soon for the restarted program.
    const inboxUrl = await sns.createQueue('order-inbox', { VisibilityTimeout: String(o.inboxVisibilitySeconds) });
    const { SendMessageCommand } = sns.sqsSdk;
    const orders = producer(ctx, {
      stream: 'orders',
      inlets: {
        orders: async (m) => {
          await sns.sqs.send(new SendMessageCommand({ QueueUrl: inboxUrl, MessageBody: m.body.toString('utf8') }));
        },
      },
    });
    const feed = async (phase: number) => {
      for (const [i, probe] of o.orders.entries()) {
        const orderId = `${probe.id}-${phase}`;
        const body = { orderId, customer: CUSTOMERS[i % CUSTOMERS.length], country: probe.country, region: probe.region, amount: probe.amount, currency: 'EUR', fulfilment: probe.fulfilment };
        await orders.send(orderId, body, { record: { phase } });
      }
    };
    // Empty on two reads 50 ms apart: moto counts visible and in-flight messages at two
    // instants, so an order whose visibility timeout runs out between them is in neither.
    const inboxEmpty = async () => {
      for (const pauseMs of [0, 50]) {
        await sleep(pauseMs, ctx.signal);
        const { visible, inFlight } = await sns.counts(inboxUrl);
        if (visible + inFlight > 0 || orders.inFlight() > 0) return false;
      }
      return true;
    };
    const progress = async () => {
      const { visible, inFlight } = await sns.counts(inboxUrl);
      return `${visible}/${inFlight}`;
    };
    const settle = async () => {
      await drain(ctx, { done: inboxEmpty, progress, quietMs: o.quietMs });
      await sleep(o.settleMs, ctx.signal);
    };

    return {
      env: {
        ...sns.env,
        ORDER_INBOX_URL: inboxUrl,
        ORDER_TOPIC_NAME: topicName,
        ...Object.fromEntries(roles.map((role) => [queueVariable(role), queueName.get(role) ?? ''])),
      },
      async awaitReady() {
        ctx.progress('waiting for your program to create the topic and its subscriptions');
        if (!(await waitUntil(async () => (await sns.topicArn(topicName)) !== undefined, ctx.timeouts.readyMs, ctx.signal, 100))) {
          throw new LearnerNotReadyError(
            `no topic named ORDER_TOPIC_NAME (${topicName}) exists after ${ctx.timeouts.readyMs / 1000}s`,
            'Create the topic (CreateTopic with the name ORDER_TOPIC_NAME), the queues and the subscriptions first thing, then receive from ORDER_INBOX_URL.',
          );
        }
        // Soft: a table with a subscription missing is still graded (filtered-as-specified says which).
        await waitUntil(async () => (await sns.subscriptions(topicName)).length >= roles.length, o.readyGraceMs, ctx.signal, 100);
      },
      async run() {
        ctx.progress(`feeding ${o.orders.length} orders to ORDER_INBOX_URL`);
        await feed(1);
        // No settle here: the kill comes the moment the inbox is empty. The latency the
        // scenario puts on the program's network is a fault that holds nothing back, so it
        // does not keep this drain from ending (a killed program comes only after it).
        await drain({ ...ctx, faultActive: () => false }, { done: inboxEmpty, progress, quietMs: o.quietMs, intervalMs: 50 });
        if (ctx.signal.aborted) return;
        ctx.progress(`restarting your program, then feeding ${o.orders.length} more orders`);
        await ctx.phase('restart');
        await ctx.faultsSettled();
        await feed(2);
        await settle();
      },
      async collect() {
        const found = await sns.subscriptions(topicName);
        recordObservation(ctx.history, 'sns-subscriptions', {
          topicExists: (await sns.topicArn(topicName)) !== undefined,
          subscriptions: found.map((s) => ({
            queue: roleOf.get(s.queueName) ?? s.queueName,
            ...(s.attributes.FilterPolicy ? { filterPolicy: s.attributes.FilterPolicy } : {}),
            ...(s.attributes.FilterPolicyScope ? { filterPolicyScope: s.attributes.FilterPolicyScope } : {}),
            raw: s.attributes.RawMessageDelivery === 'true',
          })),
        });
        for (const role of roles) {
          const url = await sns.queueUrl(queueName.get(role) ?? '');
          if (!url) continue;
          for (const message of await sns.takeAll(url)) {
            // A message that is not an order keeps the start of what was published: the checks show it.
            const { orderId, format, attributes, body } = readCopy(message);
            ctx.history.record({ process: 'lab', kind: 'consume', outcome: orderId ? 'ok' : 'fail', stream: role, ...(orderId ? { key: orderId } : {}), value: { format, attributes, ...(body === undefined ? {} : { body }) } });
          }
        }
      },
    };
  },
};
