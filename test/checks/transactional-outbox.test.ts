// Unit tests of the transactional outbox's checks over literal histories: each passes on a
// good history and names the cause the evidence (the events, the tables) points to.
import { describe, expect, it } from 'vitest';
import { eventIdsStable, noPhantomEvents, orderEventContent, outboxEventsPublished } from '../../src/checks/outbox.js';
import type { Operation } from '../../src/runner/history.js';
import type { OutboxTables } from '../../src/runner/observations.js';

const order = (key: string, phase = 'orders', amountCents = 100): Operation => ({ t: 0, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'orders', key, value: { orderId: key, customer: 'CUST-01', amountCents, phase, tags: amountCents > 0 ? [] : ['invalid'] } });
const event = (key: string, eventId = `e-${key}`, fields: Record<string, unknown> = {}, routingKey = 'order.placed'): Operation => ({
  t: 10,
  process: 'lab',
  kind: 'consume',
  outcome: 'ok',
  stream: 'events',
  key,
  value: { routingKey, fields: { eventId, type: 'OrderPlaced', orderId: key, customer: 'CUST-01', amountCents: 100, ...fields }, raw: '{}' },
});
const tables = (t: Partial<OutboxTables>): Operation => ({ t: 99, process: 'lab', kind: 'observe', outcome: 'ok', key: 'outbox-tables', value: { orders: [], outbox: [], vanished: [], ...t } });
const committed = (...ids: string[]) => ids.map((orderId) => ({ orderId, customer: 'CUST-01', amountCents: 100 }));
const row = (orderId: string, sent: boolean) => ({ eventId: `e-${orderId}`, orderId, type: 'OrderPlaced', sent });
const p = outboxEventsPublished.parseParams({});

describe('outbox-events-published', () => {
  it('passes when every valid order has an event, copies included, and ignores invalid orders', () => {
    const h = [order('a'), order('b'), order('x', 'orders', -5), event('a'), event('a'), event('b'), tables({ orders: committed('a', 'b'), outbox: [row('a', true), row('b', true)] })];
    expect(outboxEventsPublished.run(h, p).status).toBe('pass');
  });
  it('names each cause from the tables', () => {
    const cause = (t: Partial<OutboxTables>, phase = 'relay-kill') => outboxEventsPublished.run([order('a'), order('b', phase), event('a'), tables(t)], p).cause;
    expect(cause({ orders: committed('a', 'b'), outbox: [row('a', true)] })).toBe('no-outbox-row');
    expect(cause({ orders: committed('a', 'b'), outbox: [row('a', true), row('b', true)] })).toBe('marked-not-published');
    expect(cause({ orders: committed('a', 'b'), outbox: [row('a', true)], vanished: [{ eventId: 'e-b', orderId: 'b' }] })).toBe('marked-not-published');
    expect(cause({ orders: committed('a', 'b'), outbox: [row('a', true), row('b', false)] })).toBe('skipped-by-relay');
    expect(cause({ orders: committed('a', 'b'), outbox: [row('a', true), row('b', false)] }, 'after-db-restart')).toBe('stopped-after-db-restart');
    expect(cause({ orders: committed('a'), outbox: [row('a', true)] })).toBe('not-written');
  });
  it('names acked-before-commit for a lost order the lab killed the service on inside its transaction', () => {
    const kill = (key: string, reason: string): Operation => ({ t: 5, process: 'nemesis', kind: 'fault', outcome: 'ok', key, value: { fault: 'kill-learner', id: 100, phase: 'start', instance: 1, signal: 'SIGKILL', reason } });
    const h = (reason: string) => [order('a'), order('b', 'service-kill'), kill('b', reason), event('a'), tables({ orders: committed('a'), outbox: [row('a', true)] })];
    const r = outboxEventsPublished.run(h('open-transaction'), p);
    expect(r.cause).toBe('acked-before-commit');
    expect(r.examples[0]).toContain('killed inside its transaction');
    // Killed at another moment (after the commit): the order's absence is not explained by the kill.
    expect(outboxEventsPublished.run(h('committed-not-published'), p).cause).toBe('not-written');
  });
  it('names marked-not-published for rows a relay marked without publishing them, no kill needed', () => {
    const h = [order('a', 'relay-busy'), order('b', 'relay-busy'), order('c', 'relay-busy'), event('a'), event('c'), tables({ orders: committed('a', 'b', 'c'), outbox: [row('a', true), row('b', true), row('c', true)] })];
    const r = outboxEventsPublished.run(h, p);
    expect(r.cause).toBe('marked-not-published');
    expect(r.examples).toEqual(['b (sent in phase "relay-busy"): outbox row marked sent, no event']);
  });
  it('names no cause when nothing was published at all', () => {
    const r = outboxEventsPublished.run([order('a'), tables({ orders: committed('a') })], p);
    expect(r.status).toBe('fail');
    expect(r.cause).toBeUndefined();
  });
});

describe('no-phantom-events', () => {
  it('fails on an event for an order that rolled back', () => {
    const h = [order('a'), order('x', 'orders', -5), event('a'), event('x'), tables({ orders: committed('a') })];
    const r = noPhantomEvents.run(h, p);
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('published-before-commit');
    expect(r.examples[0]).toContain('invalid');
    expect(noPhantomEvents.run([order('a'), event('a'), tables({ orders: committed('a') })], p).status).toBe('pass');
  });
  it('is unknown without the tables', () => {
    expect(noPhantomEvents.run([order('a'), event('a')], p).status).toBe('unknown');
  });
});

describe('event-ids-stable', () => {
  const t = tables({ orders: committed('a'), outbox: [row('a', true)] });
  it('passes when copies share the row\'s event id', () => {
    expect(eventIdsStable.run([order('a'), event('a'), event('a'), t], p).status).toBe('pass');
  });
  it('names a new id per publish, a missing id, and an id that is not the row\'s', () => {
    expect(eventIdsStable.run([order('a'), event('a'), event('a', 'other'), t], p).cause).toBe('new-id-per-publish');
    const twoRows = tables({ orders: committed('a'), outbox: [row('a', true), { ...row('a', true), eventId: 'other' }] });
    const r = eventIdsStable.run([order('a'), event('a'), event('a', 'other'), twoRows], p);
    expect(r.cause).toBe('outbox-row-per-delivery');
    expect(r.examples[0]).toContain('2 outbox rows');
    expect(eventIdsStable.run([order('a'), event('a', ''), t], p).cause).toBe('missing-id');
    expect(eventIdsStable.run([order('a'), event('a', 'other'), t], p).cause).toBe('not-outbox-id');
  });
});

describe('order-event-content', () => {
  const q = orderEventContent.parseParams({ routingKey: 'order.placed', type: 'OrderPlaced' });
  it('passes on events as specified and names what differs', () => {
    expect(orderEventContent.run([order('a'), event('a')], q).status).toBe('pass');
    expect(orderEventContent.run([order('a'), event('a', 'e-a', {}, 'order.created')], q).cause).toBe('wrong-routing-key');
    expect(orderEventContent.run([order('a'), event('a', 'e-a', { type: 'OrderCreated' })], q).cause).toBe('wrong-type');
    expect(orderEventContent.run([order('a'), event('a', 'e-a', { amountCents: '100' })], q).cause).toBe('wrong-field');
    const unreadable: Operation = { t: 1, process: 'lab', kind: 'consume', outcome: 'fail', stream: 'events', value: { routingKey: 'order.placed', fields: {}, raw: 'nope' } };
    expect(orderEventContent.run([order('a'), unreadable], q).cause).toBe('unreadable');
  });
});
