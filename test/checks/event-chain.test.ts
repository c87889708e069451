// Unit tests of the event chain's checks over literal histories: correlation-propagated,
// order-outcomes and charged-once each pass on a good history and fail, naming the cause
// the evidence shows, on the bad ones they exist for.
import { describe, expect, it } from 'vitest';
import { chargedOnce } from '../../src/checks/charges.js';
import { correlationPropagated } from '../../src/checks/correlation.js';
import { orderOutcomes } from '../../src/checks/outcomes.js';
import type { Operation } from '../../src/runner/history.js';

const order = (key: string, correlationId: string, tags: string[] = []): Operation => ({ t: 0, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'orders', key, value: { orderId: key, correlationId, tags } });
const call = (t: number, stream: string, key: string, outcome: Operation['outcome'], fields: Record<string, unknown> = {}, arrivedAt = t - 20): Operation => ({
  t,
  process: 'downstream',
  kind: 'call',
  outcome,
  stream,
  key,
  value: { instance: 2, arrivedAt, fields },
});
const event = (t: number, type: 'order.shipped' | 'order.failed', key: string, fields: Record<string, unknown> = {}): Operation => ({ t, process: 'lab', kind: 'consume', outcome: 'ok', stream: type, key, value: { fields: { type, orderId: key, ...fields } } });

/** One order through the whole chain, correlation id and all. */
const shippedFlow = (key: string, corr: string, t = 100): Operation[] => [
  call(t, 'payments-api', key, 'ok', { correlationId: corr, idempotencyKey: key }),
  call(t + 30, 'shipping-api', key, 'ok', { correlationId: corr }),
  event(t + 40, 'order.shipped', key, { correlationId: corr }),
];
const declinedFlow = (key: string, corr: string, t = 100): Operation[] => [call(t, 'payments-api', key, 'fail', { correlationId: corr, idempotencyKey: key }), event(t + 10, 'order.failed', key, { correlationId: corr })];

describe('correlation-propagated', () => {
  const params = correlationPropagated.parseParams({
    subject: 'order',
    sent: { kind: 'produce', stream: 'orders' },
    field: 'correlationId',
    carriers: [
      { kind: 'call', stream: 'payments-api', at: 'the charge' },
      { kind: 'call', stream: 'shipping-api', at: 'the shipment' },
      { kind: 'consume', stream: 'order.shipped', at: 'the order.shipped event' },
      { kind: 'consume', stream: 'order.failed', at: 'the order.failed event' },
    ],
  });

  it('passes when every call and event carries its order\'s correlation id', () => {
    const r = correlationPropagated.run([order('o1', 'c1'), order('o2', 'c2', ['declined']), ...shippedFlow('o1', 'c1'), ...declinedFlow('o2', 'c2')], params);
    expect(r).toMatchObject({ status: 'pass', observed: 'all 5 calls and events about 2 of 2 orders carried their order\'s correlationId' });
  });

  it('new-id-per-hop: a fresh id from the first hop on, named where it broke first', () => {
    const h = [order('o1', 'c1'), order('o2', 'c2'), ...shippedFlow('o1', 'x1'), ...shippedFlow('o2', 'x2')];
    const r = correlationPropagated.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'new-id-per-hop' });
    expect(r.observed).toBe('2 of 2 orders lost their correlationId along the way: it broke first at the charge for 2; of the 6 calls and events the lab saw, 6 carried another id');
    expect(r.examples[0]).toBe('o1: the charge carried "x1" instead of "c1"');
  });

  it('new-id-per-hop: says so when the id sent on is the order id, or another order\'s', () => {
    const h = [order('o1', 'c1'), order('o2', 'c2'), ...shippedFlow('o1', 'o1'), ...shippedFlow('o2', 'c1')];
    const r = correlationPropagated.run(h, params);
    expect(r.examples).toEqual(['o1: the charge carried "o1" (that is the order id, not its correlationId) instead of "c1"', 'o2: the charge carried "c1" (that is o1\'s) instead of "c2"']);
  });

  it('missing: a later hop carried none; the break is placed at that hop', () => {
    const h = [order('o1', 'c1'), call(100, 'payments-api', 'o1', 'ok', { correlationId: 'c1' }), call(130, 'shipping-api', 'o1', 'ok', { correlationId: null }), event(140, 'order.shipped', 'o1')];
    const r = correlationPropagated.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'missing' });
    expect(r.observed).toBe('1 of 1 order lost its correlationId along the way: it broke first at the shipment for 1; of the 3 calls and events the lab saw, 2 carried none');
    expect(r.examples).toEqual(['o1: the shipment carried no correlationId (expected "c1")']);
  });

  it('a cut call (outcome info) counts as a carrier too', () => {
    const h = [order('o1', 'c1'), call(100, 'payments-api', 'o1', 'info', { correlationId: 'zz' }), ...shippedFlow('o1', 'c1', 200)];
    expect(correlationPropagated.run(h, params).cause).toBe('new-id-per-hop');
  });

  it('ignores calls about ids the lab never sent, and is unknown when nothing about an order arrived', () => {
    expect(correlationPropagated.run([order('o1', 'c1'), call(100, 'payments-api', 'zz', 'ok', { correlationId: 'q' })], params).status).toBe('unknown');
  });
});

describe('order-outcomes', () => {
  const raw = {
    subject: 'order',
    sent: { kind: 'produce', stream: 'orders' },
    declinedTag: 'declined',
    charges: { kind: 'call', stream: 'payments-api' },
    shipments: { kind: 'call', stream: 'shipping-api' },
    shipped: { kind: 'consume', stream: 'order.shipped' },
    failed: { kind: 'consume', stream: 'order.failed' },
  };
  const params = orderOutcomes.parseParams(raw);

  it('passes: paid orders shipped once, a declined one failed after one charge; an order with no end is left to no-lost-messages', () => {
    const h = [order('o1', 'c1'), order('d1', 'c2', ['declined']), order('lost', 'c3'), ...shippedFlow('o1', 'c1'), ...declinedFlow('d1', 'c2')];
    const r = orderOutcomes.run(h, params);
    expect(r).toMatchObject({ status: 'pass', observed: '1 shipped once after payment, 1 recorded as failed after one declined charge; 1 reached no end (see the check that every order gets through)' });
  });

  it('a charge cut by a kill and made again is one payment: the order shipped after it passes', () => {
    const h = [order('v', 'c'), call(100, 'payments-api', 'v', 'info'), call(900, 'payments-api', 'v', 'ok'), call(950, 'shipping-api', 'v', 'ok', {}, 930), event(960, 'order.shipped', 'v')];
    expect(orderOutcomes.run(h, params).status).toBe('pass');
  });

  it('wrong-end-event and wrong-amount: the end events and the charge must say what the README and the order say', () => {
    const strict = orderOutcomes.parseParams({
      ...raw,
      amountField: 'amount',
      totalField: 'total',
      shippedFields: { shipmentId: 'sh_{orderId}' },
      failedFields: { reason: 'card declined' },
    });
    const withTotal = (op: Operation): Operation => ({ ...op, value: { ...(op.value as Record<string, unknown>), total: 32 } });
    const right = [
      withTotal(order('o1', 'c1')),
      withTotal(order('d1', 'c2', ['declined'])),
      call(100, 'payments-api', 'o1', 'ok', { amount: 32 }),
      call(130, 'shipping-api', 'o1', 'ok'),
      event(140, 'order.shipped', 'o1', { shipmentId: 'sh_o1' }),
      call(100, 'payments-api', 'd1', 'fail', { amount: 32 }),
      event(110, 'order.failed', 'd1', { reason: 'card declined' }),
    ];
    expect(orderOutcomes.run(right, strict).status).toBe('pass');
    const words = right.map((op) => (op.stream === 'order.failed' ? event(110, 'order.failed', 'd1', { reason: 'declined' }) : op));
    const r = orderOutcomes.run(words, strict);
    expect(r).toMatchObject({ status: 'fail', cause: 'wrong-end-event' });
    expect(r.examples[0]).toMatch(/^d1: its order.failed event has reason "declined", not "card declined"/);
    const snake = right.map((op) => (op.stream === 'order.shipped' ? event(140, 'order.shipped', 'o1', { shipment_id: 'sh_o1' }) : op));
    expect(orderOutcomes.run(snake, strict).examples[0]).toMatch(/^o1: its order.shipped event has shipmentId missing, not "sh_o1"/);
    const cents = right.map((op) => (op.stream === 'payments-api' && op.key === 'o1' ? call(100, 'payments-api', 'o1', 'ok', { amount: 3200 }) : op));
    expect(orderOutcomes.run(cents, strict)).toMatchObject({ cause: 'wrong-amount', examples: ['o1: charged 3200, but its total is 32'] });
  });

  it('retried-declined: a 402 charged again and again', () => {
    const h = [order('d1', 'c', ['declined']), ...Array.from({ length: 40 }, (_, i) => call(100 + i * 10, 'payments-api', 'd1', 'fail'))];
    const r = orderOutcomes.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'retried-declined', observed: '1 of 1 order ended wrong: 1 charged again after a decline' });
    expect(r.examples).toEqual(['d1: charged 40 times, declined (402) every time, and never recorded as failed']);
  });

  it('failure-not-recorded: declined once, then nothing', () => {
    const r = orderOutcomes.run([order('d1', 'c', ['declined']), call(1500, 'payments-api', 'd1', 'fail')], params);
    expect(r).toMatchObject({ cause: 'failure-not-recorded', examples: ['d1: its payment was declined (402) at 1.5s, and no failed event ever came'] });
  });

  it('shipped-unpaid: a declined order shipped leads, then orders shipped before their payment answered', () => {
    const h = [
      order('o1', 'c1'),
      order('d1', 'c2', ['declined']),
      call(150, 'payments-api', 'o1', 'ok'),
      call(130, 'shipping-api', 'o1', 'ok', {}, 110),
      call(150, 'payments-api', 'd1', 'fail'),
      call(130, 'shipping-api', 'd1', 'ok', {}, 110),
      event(140, 'order.shipped', 'o1'),
      event(140, 'order.shipped', 'd1'),
      event(160, 'order.failed', 'd1'),
    ];
    const r = orderOutcomes.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'shipped-unpaid', observed: '2 of 2 orders ended wrong: 2 shipped without a payment that went through' });
    expect(r.examples).toEqual(['d1: its payment was declined (402), yet it was shipped at 0.1s', 'o1: shipped at 0.1s, 40 ms before its payment went through']);
  });

  it('the most serious cause names the failure: shipped-unpaid before shipped-twice', () => {
    const h = [order('o1', 'c1'), order('o2', 'c2'), order('o3', 'c3'), ...shippedFlow('o1', 'c1'), ...shippedFlow('o1', 'c1', 300), ...shippedFlow('o2', 'c2', 100), call(50, 'shipping-api', 'o3', 'ok', {}, 40)];
    const r = orderOutcomes.run(h, params);
    expect(r.cause).toBe('shipped-unpaid');
    expect(r.observed).toBe('2 of 3 orders ended wrong: 1 shipped without a payment that went through, 1 shipped more than once');
  });

  it('a declined order never charged reached no end (the chain broke before it): not a failure to record', () => {
    const h = [order('o1', 'c1'), order('d1', 'c2', ['declined']), ...shippedFlow('o1', 'c1')];
    expect(orderOutcomes.run(h, params)).toMatchObject({ status: 'pass', observed: '1 shipped once after payment, 0 recorded as failed after one declined charge; 1 reached no end (see the check that every order gets through)' });
  });

  it('is unknown when no order reached any end', () => {
    expect(orderOutcomes.run([order('o1', 'c1'), order('d1', 'c2', ['declined'])], params)).toMatchObject({ status: 'unknown', observed: 'no order reached an end (shipped or failed), so there was nothing to judge' });
  });

  it('failed-but-paid: a paid order recorded as failed', () => {
    const r = orderOutcomes.run([order('o1', 'c1'), call(100, 'payments-api', 'o1', 'ok'), event(200, 'order.failed', 'o1')], params);
    expect(r).toMatchObject({ cause: 'failed-but-paid', examples: ['o1: recorded as failed at 0.2s although its payment went through at 0.1s'] });
  });
});

describe('charged-once', () => {
  const params = chargedOnce.parseParams({ subject: 'order', sent: { kind: 'produce', stream: 'orders' }, charges: { kind: 'call', stream: 'payments-api' }, keyField: 'idempotencyKey' });
  const charge = (t: number, key: string, outcome: Operation['outcome'], idempotencyKey?: string) => call(t, 'payments-api', key, outcome, idempotencyKey === undefined ? {} : { idempotencyKey });

  it('passes: the order charged again after the kill carried the same key', () => {
    const r = chargedOnce.run([order('o1', 'c'), order('v', 'c2'), charge(100, 'o1', 'ok', 'o1'), charge(1400, 'v', 'info', 'v'), charge(2000, 'v', 'ok', 'v')], params);
    expect(r).toMatchObject({ status: 'pass', observed: '2 orders charged; 1 was charged again (after the kill), with the same key each time' });
  });

  it('declined charges took nothing: retrying one with new keys is not a double charge', () => {
    expect(chargedOnce.run([order('d', 'c'), charge(100, 'd', 'fail', 'k1'), charge(200, 'd', 'fail', 'k2')], params).status).toBe('unknown');
  });

  it('new-key-per-attempt: the cut charge and the repeat carried different keys', () => {
    const r = chargedOnce.run([order('v', 'c'), charge(1400, 'v', 'info', 'k1'), charge(2000, 'v', 'ok', 'k2')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'new-key-per-attempt', observed: '1 of 1 order may have been paid twice: charged again with another idempotencyKey' });
    expect(r.examples).toEqual(['v: charged 2 times, with "k1" (cut short by the kill at 1.4s), then "k2" (answered OK at 2.0s)']);
  });

  it('no-idempotency-key: charged twice without a key', () => {
    const r = chargedOnce.run([order('v', 'c'), charge(1400, 'v', 'info'), charge(2000, 'v', 'ok')], params);
    expect(r).toMatchObject({ cause: 'no-idempotency-key', observed: '1 of 1 order may have been paid twice: charged again with no idempotencyKey' });
  });

  it('an order charged once without a key is no double charge', () => {
    expect(chargedOnce.run([order('o', 'c'), charge(100, 'o', 'ok')], params).status).toBe('pass');
  });

  it('key-shared: one key for different orders', () => {
    const r = chargedOnce.run([order('a', 'c'), order('b', 'c'), charge(100, 'a', 'ok', 'same'), charge(200, 'b', 'ok', 'same')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'key-shared', observed: '1 idempotencyKey was shared by several orders', examples: ['idempotencyKey "same" was used for 2 orders: a, b'] });
  });
});
