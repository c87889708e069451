// sns-fanout-filters: the scenario's orders are designed from the mistakes backwards (every
// plausible wrong policy or wrong attribute changes what some queue receives, so
// filtered-as-specified can see it), and the three checks over literal histories.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Attribute,
  type AttributeType,
  type FilterPolicy,
  type SubscriptionSpec,
  deliveryFormat,
  filteredAsSpecified,
  messageAttributes,
  policyMatches,
  specAttributes,
} from '../../src/checks/sns-fanout.js';
import type { Operation } from '../../src/runner/history.js';
import type { OrderProbe } from '../../src/workloads/sns-fanout-filters.js';

const scenario = JSON.parse(readFileSync(new URL('../../scenarios/sns-fanout-filters/scenario.json', import.meta.url), 'utf8')) as {
  workload: { options: { subscriptions: SubscriptionSpec[]; attributes: Record<string, AttributeType>; orders: OrderProbe[] } };
};
const { subscriptions, attributes, orders } = scenario.workload.options;
const params = { subscriptions, attributes };
const byQueue = (queue: string) => subscriptions.find((s) => s.queue === queue) as SubscriptionSpec;

/** What each queue gets, as "queue: ids", with `policyOf` and the attributes from `attributesOf`. */
function delivery(policyOf: (s: SubscriptionSpec) => FilterPolicy | undefined = (s) => s.filterPolicy, attributesOf = (o: OrderProbe) => specAttributes({ ...o }, attributes)): string {
  return subscriptions.map((s) => `${s.queue}: ${orders.filter((o) => policyMatches(policyOf(s), attributesOf(o))).map((o) => o.id).join(',')}`).join(' | ');
}
const expected = delivery();
const withPolicy = (queue: string, policy: FilterPolicy | undefined) => delivery((s) => (s.queue === queue ? policy : s.filterPolicy));

describe('sns-fanout-filters: the orders tell every near miss apart', () => {
  it('each queue gets some orders and misses some (but audit, which gets all)', () => {
    for (const s of subscriptions) {
      const got = orders.filter((o) => policyMatches(s.filterPolicy, specAttributes({ ...o }, attributes))).length;
      expect(got).toBeGreaterThan(0);
      if (s.filterPolicy) expect(got).toBeLessThan(orders.length);
    }
  });

  it.each<[string, FilterPolicy | undefined]>([
    ['billing', { amount: ['100'] }],
    ['billing', { amount: [100] }],
    ['billing', { amount: [{ numeric: ['>', 100] }] }],
    ['billing', { amount: [{ numeric: ['>=', 1000] }] }],
    ['billing', undefined],
    ['eu-shipping', { country: ['eu'], fulfilment: [{ 'anything-but': ['digital'] }] }],
    ['eu-shipping', { region: ['eu'] }],
    ['eu-shipping', { region: ['eu'], fulfilment: ['physical'], amount: [{ numeric: ['>=', 100] }] }],
    ['eu-shipping', { region: ['EU'], fulfilment: [{ 'anything-but': ['digital'] }] }],
    ['eu-shipping', { fulfilment: [{ 'anything-but': ['digital'] }] }],
    ['eu-shipping', undefined],
    ['audit', { region: ['eu'] }],
  ])('%s with %j instead of its policy changes what it gets', (queue, policy) => {
    expect(withPolicy(queue, policy)).not.toBe(expected);
  });

  it('an amount published as String, or no attributes at all, changes what billing gets', () => {
    const asString = (o: OrderProbe) => ({ ...specAttributes({ ...o }, attributes), amount: { type: 'String', value: String(o.amount) } });
    expect(delivery(undefined, asString)).not.toBe(expected);
    expect(delivery(undefined, () => ({}))).not.toBe(expected);
  });

  it('the policies of the README match as SNS documents them', () => {
    const eu = byQueue('eu-shipping').filterPolicy;
    const a = (region: string, fulfilment: string): Record<string, Attribute> => ({ region: { type: 'String', value: region }, fulfilment: { type: 'String', value: fulfilment } });
    expect(policyMatches(eu, a('eu', 'physical'))).toBe(true);
    expect(policyMatches(eu, a('eu', 'digital'))).toBe(false);
    expect(policyMatches(eu, { region: { type: 'String', value: 'eu' } })).toBe(false); // anything-but needs the attribute
    expect(policyMatches({ amount: [{ numeric: ['>=', 100] }] }, { amount: { type: 'Number', value: '99.5' } })).toBe(false);
    expect(policyMatches({ amount: [{ numeric: ['>=', 100] }] }, { amount: { type: 'String', value: '250' } })).toBe(false);
    expect(policyMatches({ present: [{ exists: false }] }, {})).toBe(true);
  });
});

// Literal histories: the lab fed orders (produce), then found copies in the queues (consume).
const produce = (id: string, phase: number, fields: Partial<OrderProbe>): Operation => ({ t: phase * 1_000, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'orders', key: id, value: { orderId: id, ...fields, phase } });
const typed = (fields: Partial<OrderProbe>): Record<string, Attribute> => specAttributes({ ...fields }, attributes);
const copy = (queue: string, id: string, format: 'raw' | 'envelope', carried: Record<string, Attribute>): Operation => ({ t: 5_000, process: 'lab', kind: 'consume', outcome: 'ok', stream: queue, key: id, value: { format, attributes: carried } });
const seen = (subs: Array<{ queue: string; filterPolicy?: string; raw: boolean }>): Operation => ({ t: 5_000, process: 'lab', kind: 'observe', outcome: 'ok', key: 'sns-subscriptions', value: { topicExists: true, subscriptions: subs } });
const SEEN_OK = seen(subscriptions.map((s) => ({ queue: s.queue, ...(s.filterPolicy ? { filterPolicy: JSON.stringify(s.filterPolicy) } : {}), raw: s.raw })));

/** A history where every order reached exactly its queues, in its format; `change` alters it. */
function history(change: { attrs?: (f: Partial<OrderProbe>) => Record<string, Attribute>; format?: (s: SubscriptionSpec) => 'raw' | 'envelope'; drop?: (queue: string, phase: number) => boolean; seenOp?: Operation; policyOf?: (s: SubscriptionSpec) => FilterPolicy | undefined } = {}): Operation[] {
  const ops: Operation[] = [];
  for (const phase of [1, 2]) {
    for (const o of orders) {
      const { id: _id, ...fields } = o;
      const id = `${o.id}-${phase}`;
      ops.push(produce(id, phase, fields));
      const carried = (change.attrs ?? typed)(fields);
      for (const s of subscriptions) {
        if (!policyMatches((change.policyOf ?? ((x: SubscriptionSpec) => x.filterPolicy))(s), carried)) continue;
        if (change.drop?.(s.queue, phase)) continue;
        ops.push(copy(s.queue, id, (change.format ?? ((x: SubscriptionSpec) => (x.raw ? 'raw' : 'envelope')))(s), carried));
      }
    }
  }
  return [...ops, change.seenOp ?? SEEN_OK];
}

describe('filtered-as-specified', () => {
  it('passes when every queue holds exactly its orders', () => {
    expect(filteredAsSpecified.run(history(), params)).toMatchObject({ status: 'pass' });
  });

  it('is unknown when the lab fed no orders', () => {
    expect(filteredAsSpecified.run([], params).status).toBe('unknown');
  });

  it('names a queue without a subscription', () => {
    const r = filteredAsSpecified.run(history({ drop: (q) => q === 'audit', seenOp: seen([{ queue: 'billing', raw: false }, { queue: 'eu-shipping', raw: true }]) }), params);
    expect(r).toMatchObject({ status: 'fail', cause: 'not-subscribed' });
    expect(r.examples[0]).toMatch(/^queue "audit" has no subscription on the topic; it should have got 16 orders/);
  });

  it('tells what a restart threw away from what a policy filtered', () => {
    const r = filteredAsSpecified.run(history({ drop: (_q, phase) => phase === 1 }), params);
    expect(r).toMatchObject({ status: 'fail', cause: 'lost-on-restart' });
    expect(r.examples[0]).toMatch(/all 5 it held before your program restarted are gone/);
  });

  it('blames the attributes an order was published with, not the policy', () => {
    const asString = (f: Partial<OrderProbe>) => ({ ...typed(f), amount: { type: 'String', value: String(f.amount) } });
    const r = filteredAsSpecified.run(history({ attrs: asString }), params);
    expect(r).toMatchObject({ status: 'fail', cause: 'attributes-wrong' });
    expect(r.examples[0]).toMatch(/^queue "billing" .* missed 10 of its 10 orders, .*\(the first published with region=eu \(String\), amount=250 \(String\)/);
    expect(filteredAsSpecified.run(history({ attrs: () => ({}) }), params).cause).toBe('attributes-wrong');
  });

  it('diagnoses a policy on an attribute the orders do not carry, and a number matched as text', () => {
    const country = { country: ['eu'], fulfilment: [{ 'anything-but': ['digital'] }] } as FilterPolicy;
    const onCountry = history({
      policyOf: (s) => (s.queue === 'eu-shipping' ? country : s.filterPolicy),
      seenOp: seen(subscriptions.map((s) => ({ queue: s.queue, ...(s.filterPolicy ? { filterPolicy: JSON.stringify(s.queue === 'eu-shipping' ? country : s.filterPolicy) } : {}), raw: s.raw }))),
    });
    expect(filteredAsSpecified.run(onCountry, params).cause).toBe('other-attribute');
    const exact = { amount: ['100'] } as FilterPolicy;
    // moto matches "100" against a Number 100 too; here the lab found nothing in billing but the 100s.
    const onText = history({
      policyOf: (s) => (s.queue === 'billing' ? { amount: [100] } : s.filterPolicy),
      seenOp: seen(subscriptions.map((s) => ({ queue: s.queue, ...(s.filterPolicy ? { filterPolicy: JSON.stringify(s.queue === 'billing' ? exact : s.filterPolicy) } : {}), raw: s.raw }))),
    });
    const r = filteredAsSpecified.run(onText, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'numeric-as-string' });
    expect(r.examples[0]).toMatch(/^queue "billing" \(filter \{"amount":\["100"\]\}\) missed 6 of its 10 orders/);
  });

  it('calls a policy without its anything-but too broad, and a > where >= was asked too narrow', () => {
    const broad = history({ policyOf: (s) => (s.queue === 'eu-shipping' ? { region: ['eu'] } : s.filterPolicy) });
    expect(filteredAsSpecified.run(broad, params).cause).toBe('too-broad');
    const narrow = history({ policyOf: (s) => (s.queue === 'billing' ? { amount: [{ numeric: ['>', 100] }] } : s.filterPolicy) });
    expect(filteredAsSpecified.run(narrow, params).cause).toBe('too-narrow');
  });
});

// A message the lab found in a queue that is not an order: no key, the start of its body.
const notOrder = (queue: string, body: string): Operation => ({ t: 5_000, process: 'lab', kind: 'consume', outcome: 'fail', stream: queue, value: { format: 'raw', attributes: {}, body } });
/** Every queue got every order, wrapped as {"default": ...} or encoded twice: not an order. */
function wrapped(body: (id: string) => string): Operation[] {
  const ops: Operation[] = [];
  for (const phase of [1, 2]) {
    for (const o of orders) {
      const { id: _id, ...fields } = o;
      const id = `${o.id}-${phase}`;
      ops.push(produce(id, phase, fields));
      for (const s of subscriptions) if (policyMatches(s.filterPolicy, typed(fields))) ops.push(notOrder(s.queue, body(id)));
    }
  }
  return [...ops, SEEN_OK];
}

describe('filtered-as-specified: orders that arrived in another shape, or were never published', () => {
  it('says the queues hold messages that are not orders, with the first body, not a filter problem', () => {
    const r = filteredAsSpecified.run(wrapped((id) => JSON.stringify({ default: JSON.stringify({ orderId: id }) })), params);
    expect(r).toMatchObject({ status: 'fail', cause: 'not-an-order' });
    expect(r.examples[0]).toMatch(/^queue "billing" holds 10 messages that are not an order, e.g. \{"default":"\{\\"orderId\\":\\"order-eu-physical-250-1/);
    const twice = filteredAsSpecified.run(wrapped((id) => JSON.stringify(JSON.stringify({ orderId: id }))), params);
    expect(twice.cause).toBe('not-an-order');
  });

  it('blames orders missing from audit (no filter policy) on publishing, not on a filter', () => {
    const lost = new Set(['order-eu-physical-250-1', 'order-us-physical-40-2']);
    const ops = history().filter((op) => !(op.kind === 'consume' && lost.has(op.key ?? '')));
    const r = filteredAsSpecified.run(ops, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'never-published' });
    expect(r.observed).toMatch(/the hint is about "billing", "eu-shipping", "audit"$/);
    expect(r.examples.find((e) => e.startsWith('queue "audit"'))).toMatch(/missed 2 of its 16 orders.*2 of them are in no queue at all, not even "audit"/);
  });

  it('does not call orders unpublished when no queue without a filter policy is subscribed', () => {
    const r = filteredAsSpecified.run(history({ drop: (q) => q === 'audit', seenOp: seen([{ queue: 'billing', raw: false }, { queue: 'eu-shipping', raw: true }]) }), params);
    expect(r.cause).toBe('not-subscribed');
  });

  it('names the queue a too-broad or too-narrow hint is about', () => {
    const broadBilling = history({ policyOf: (s) => (s.queue === 'billing' ? { amount: [{ numeric: ['>=', 99] }] } : s.filterPolicy) });
    const r = filteredAsSpecified.run(broadBilling, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'too-broad' });
    expect(r.observed).toBe('1 queue did not get exactly its orders; the hint is about "billing"');
    const narrowEu = history({ policyOf: (s) => (s.queue === 'eu-shipping' ? { region: ['EU'] } : s.filterPolicy) });
    expect(filteredAsSpecified.run(narrowEu, params).observed).toMatch(/the hint is about "eu-shipping"$/);
  });
});

describe('delivery-format', () => {
  it('says a queue holds messages that are not orders, showing the first', () => {
    const r = deliveryFormat.run(wrapped((id) => JSON.stringify(JSON.stringify({ orderId: id }))), params);
    expect(r).toMatchObject({ status: 'fail', cause: 'not-an-order' });
    expect(r.examples[0]).toMatch(/^queue "billing" holds 10 messages that are not an order, e.g. "\{\\"orderId/);
  });

  it('passes when each queue gets its format; unknown when no queue got anything', () => {
    expect(deliveryFormat.run(history(), params).status).toBe('pass');
    expect(deliveryFormat.run([], params).status).toBe('unknown');
  });

  it('names envelopes where raw was asked, and raw where the envelope was asked', () => {
    const allEnvelope = deliveryFormat.run(history({ format: () => 'envelope' }), params);
    expect(allEnvelope).toMatchObject({ status: 'fail', cause: 'envelope-where-raw' });
    expect(allEnvelope.examples[0]).toMatch(/^queue "eu-shipping" should get the bare order, but 6 of its 6 messages were SNS envelopes/);
    expect(deliveryFormat.run(history({ format: () => 'raw' }), params)).toMatchObject({ status: 'fail', cause: 'raw-where-envelope' });
  });
});

describe('message-attributes', () => {
  it('passes when every order carried its attributes', () => {
    expect(messageAttributes.run(history(), { attributes })).toMatchObject({ status: 'pass', observed: 'all 16 orders seen in a queue carried their attributes' });
  });

  it('names missing attributes, another DataType and another value', () => {
    const none = messageAttributes.run(history({ attrs: () => ({}) }), { attributes });
    expect(none).toMatchObject({ status: 'fail', cause: 'missing', observed: '16 of 16 orders carried other attributes' });
    expect(none.examples[0]).toBe('order-eu-physical-250-1 carried no message attributes; missing region, amount, fulfilment');
    const asString = (f: Partial<OrderProbe>) => ({ ...typed(f), amount: { type: 'String', value: String(f.amount) } });
    expect(messageAttributes.run(history({ attrs: asString }), { attributes }).cause).toBe('wrong-type');
    const rounded = (f: Partial<OrderProbe>) => ({ ...typed(f), amount: { type: 'Number', value: String(Math.round(f.amount ?? 0)) } });
    const r = messageAttributes.run(history({ attrs: rounded }), { attributes });
    expect(r).toMatchObject({ status: 'fail', cause: 'wrong-value' });
    expect(r.examples[0]).toBe('order-eu-physical-99.5-1 attribute amount is "100", the order says "99.5"');
  });
});

describe('reading a copy out of a queue (the workload)', () => {
  it('tells the SNS envelope from a raw message, and reads the attributes of each', async () => {
    const { readCopy } = await import('../../src/workloads/sns-fanout-filters.js');
    const order = JSON.stringify({ orderId: 'order-1', amount: 250 });
    const envelope = JSON.stringify({ Type: 'Notification', MessageId: 'm', Message: order, MessageAttributes: { amount: { Type: 'Number', Value: '250' } } });
    expect(readCopy({ Body: envelope })).toEqual({ orderId: 'order-1', format: 'envelope', attributes: { amount: { type: 'Number', value: '250' } } });
    expect(readCopy({ Body: order, MessageAttributes: { amount: { DataType: 'Number', StringValue: '250' } } })).toEqual({ orderId: 'order-1', format: 'raw', attributes: { amount: { type: 'Number', value: '250' } } });
    expect(readCopy({ Body: 'not json' })).toEqual({ format: 'raw', attributes: {}, body: 'not json' });
    expect(readCopy({ Body: JSON.stringify(order) })).toEqual({ format: 'raw', attributes: {}, body: JSON.stringify(order) });
    const wrapper = JSON.stringify({ default: order });
    expect(readCopy({ Body: JSON.stringify({ Type: 'Notification', Message: wrapper }) })).toEqual({ format: 'envelope', attributes: {}, body: wrapper });
  });
});
