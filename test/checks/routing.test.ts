// The AMQP routing model and routes-as-specified / exchanges-declared over literal histories.
import { describe, expect, it } from 'vitest';
import { type ExchangeSpec, exchangesDeclared, headersMatch, route, routesAsSpecified, topicMatches } from '../../src/checks/routing.js';
import type { Operation } from '../../src/runner/history.js';

describe('topic patterns', () => {
  it.each([
    ['orders.eu.*', 'orders.eu.placed', true],
    ['orders.eu.*', 'orders.eu.de.placed', false],
    ['orders.eu.*', 'orders.eu', false],
    ['payments.#', 'payments', true],
    ['payments.#', 'payments.card.captured', true],
    ['*.*.returned', 'orders.eu.returned', true],
    ['*.*.returned', 'returned', false],
    ['#', '', true],
    ['#.returned', 'a.b.c.returned', true],
    ['a.#.z', 'a.z', true],
  ])('%s matches %s: %s', (pattern, key, expected) => {
    expect(topicMatches(pattern, key)).toBe(expected);
  });
});

describe('headers bindings', () => {
  it('all needs every listed header, any one of them; x- headers are not compared', () => {
    expect(headersMatch({ 'x-match': 'all', tier: 'gold', region: 'eu' }, { tier: 'gold', region: 'eu', extra: '1' })).toBe(true);
    expect(headersMatch({ 'x-match': 'all', tier: 'gold', region: 'eu' }, { tier: 'gold', region: 'us' })).toBe(false);
    expect(headersMatch({ 'x-match': 'any', risk: 'high', chargeback: 'yes' }, { chargeback: 'yes' })).toBe(true);
    expect(headersMatch({ 'x-match': 'any', risk: 'high' }, { risk: 'low' })).toBe(false);
  });
});

const spec: ExchangeSpec[] = [
  { name: 'ev', type: 'topic', bindings: [{ queue: 'eu', key: 'orders.eu.*' }, { queue: 'audit', key: '#' }] },
  { name: 'cmd', type: 'direct', bindings: [{ queue: 'inv', key: 'invoice.create' }] },
];
const probes = [
  { id: 'p1', exchange: 'ev', routingKey: 'orders.eu.placed' },
  { id: 'p2', exchange: 'ev', routingKey: 'orders.eu.de.placed' },
  { id: 'p3', exchange: 'cmd', routingKey: 'invoice.create' },
  { id: 'p4', exchange: 'cmd', routingKey: 'invoice' },
];

describe('route', () => {
  it('gives each probe the queues the spec routes it to', () => {
    expect(probes.map((p) => route(spec, p))).toEqual([['audit', 'eu'], ['audit'], ['inv'], []]);
  });
});

const sent = (probe: string): Operation => ({ t: 1, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'x', key: `id-${probe}`, value: { probe } });
const found = (queue: string, probe: string): Operation => ({ t: 5, process: 'lab', kind: 'consume', outcome: 'ok', stream: queue, key: `id-${probe}` });
const config = (role: string, bindings: Array<{ exchange: string; key: string }>, exists = true): Operation => ({
  t: 4,
  process: 'lab',
  kind: 'observe',
  outcome: 'ok',
  key: 'amqp-queue-config',
  value: { role, queue: role, exists, durable: true, type: 'classic', bindings: bindings.map((b) => ({ ...b, arguments: {} })) },
});
const allSent = probes.map((p) => sent(p.id));
const right = [config('eu', [{ exchange: 'ev', key: 'orders.eu.*' }]), config('audit', [{ exchange: 'ev', key: '#' }]), config('inv', [{ exchange: 'cmd', key: 'invoice.create' }])];

describe('routes-as-specified', () => {
  const params = { exchanges: spec, probes };
  it('passes when every queue got exactly its probes', () => {
    const h = [...allSent, ...right, found('eu', 'p1'), found('audit', 'p1'), found('audit', 'p2'), found('inv', 'p3')];
    expect(routesAsSpecified.run(h, params).status).toBe('pass');
  });
  it('too broad: a # where * was meant lets a deeper key in, and shows the binding', () => {
    const h = [...allSent, config('eu', [{ exchange: 'ev', key: 'orders.eu.#' }]), ...right.slice(1), found('eu', 'p1'), found('eu', 'p2'), found('audit', 'p1'), found('audit', 'p2'), found('inv', 'p3')];
    const r = routesAsSpecified.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'too-broad', observed: '1 message in a queue it was not for' });
    expect(r.examples[0]).toBe('queue "eu" (bound: ev "orders.eu.#") got p2 (to ev, key "orders.eu.de.placed"), which is not for it');
  });
  it('not bound, and never declared, are told apart', () => {
    const h = [...allSent, config('eu', []), config('audit', [{ exchange: 'ev', key: '#' }]), found('audit', 'p1'), found('audit', 'p2')];
    const r = routesAsSpecified.run(h, params);
    expect(r.examples).toContain('queue "eu" is not bound to ev (it has no bindings); it should have got p1 (to ev, key "orders.eu.placed")');
    expect(r.examples).toContain('queue "inv" was never declared (1 probe was meant for it)');
  });
});

describe('exchanges-declared', () => {
  const exchange = (name: string, type: string, durable = true): Operation => ({ t: 4, process: 'lab', kind: 'observe', outcome: 'ok', key: 'amqp-exchange-config', value: { exchange: name, exists: true, type, durable } });
  it('names an exchange of the wrong type', () => {
    const r = exchangesDeclared.run([exchange('ev', 'topic'), exchange('cmd', 'fanout')], { exchanges: spec });
    expect(r).toMatchObject({ status: 'fail', cause: 'wrong-type', observed: 'exchange "cmd" is fanout; the table says direct' });
    expect(exchangesDeclared.run([exchange('ev', 'topic'), exchange('cmd', 'direct')], { exchanges: spec }).status).toBe('pass');
  });
});
