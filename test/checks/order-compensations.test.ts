// Unit tests of saga-compensated over literal histories: a valid trace passes (replays
// included), and each mistake fails naming its cause.
import { describe, expect, it } from 'vitest';
import { sagaCompensated } from '../../src/checks/saga.js';
import type { Operation } from '../../src/runner/history.js';

const params = sagaCompensated.parseParams({
  subject: 'order',
  sent: { kind: 'produce', stream: 'orders' },
  steps: [
    { name: 'reserve stock', stream: 'stock-reserve', compensation: { name: 'release stock', stream: 'stock-release' } },
    { name: 'charge payment', stream: 'payment-charge', compensation: { name: 'refund payment', stream: 'payment-refund' } },
    { name: 'book shipment', stream: 'shipment-book' },
  ],
  failsAt: { declined: 'charge payment', unshippable: 'book shipment' },
  transientTag: 'flaky',
  keyField: 'idempotencyKey',
  status: { kind: 'consume', stream: 'order-status' },
});

const order = (key: string, tags: string[] = []): Operation => ({ t: 0, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'orders', key, value: { orderId: key, tags } });
let clock = 100;
const call = (stream: string, key: string, status = 200, idem: string | null = `${key}:${stream}`): Operation => ({
  t: (clock += 10),
  process: 'downstream',
  kind: 'call',
  outcome: status === 0 ? 'info' : status < 300 ? 'ok' : 'fail',
  stream,
  key,
  value: { instance: 1, status, fields: { idempotencyKey: idem } },
});
const status = (key: string, value: string): Operation => ({ t: (clock += 10), process: 'lab', kind: 'consume', outcome: 'ok', stream: 'order-status', key, value: { fields: { orderId: key, status: value } } });

const completes = (key: string) => [call('stock-reserve', key), call('payment-charge', key), call('shipment-book', key), status(key, 'completed')];
const declined = (key: string) => [call('stock-reserve', key), call('payment-charge', key, 402), call('stock-release', key), status(key, 'cancelled')];
const unshippable = (key: string) => [call('stock-reserve', key), call('payment-charge', key), call('shipment-book', key, 422), call('payment-refund', key), call('stock-release', key), status(key, 'cancelled')];
const orders = [order('o1'), order('o2', ['declined']), order('o3', ['unshippable']), order('o4', ['flaky'])];

describe('saga-compensated', () => {
  it('passes valid traces: completed, cancelled at the charge, cancelled at the shipment, a 503 retried', () => {
    const h = [...orders, ...completes('o1'), ...declined('o2'), ...unshippable('o3'), call('stock-reserve', 'o4'), call('payment-charge', 'o4'), call('shipment-book', 'o4', 503), call('shipment-book', 'o4'), status('o4', 'completed')];
    expect(sagaCompensated.run(h, params)).toMatchObject({ status: 'pass', observed: '2 orders completed and 2 cancelled, each compensation made once, in reverse order' });
  });

  it('passes a redelivery whose repeated calls carry the same keys (replays), however often', () => {
    const h = [...orders.slice(2, 3), call('stock-reserve', 'o3'), call('payment-charge', 'o3'), call('shipment-book', 'o3', 422), call('payment-refund', 'o3'), call('stock-release', 'o3', 0), ...unshippable('o3')];
    const r = sagaCompensated.run(h, params);
    expect(r.status).toBe('pass');
    expect(r.observed).toContain('3 calls were replays');
  });

  it('compensated-twice: a refund made again after the kill without its key', () => {
    const h = [order('o3', ['unshippable']), call('stock-reserve', 'o3'), call('payment-charge', 'o3'), call('shipment-book', 'o3', 422), call('payment-refund', 'o3', 200, null), call('stock-release', 'o3', 0), call('stock-reserve', 'o3'), call('payment-charge', 'o3'), call('shipment-book', 'o3', 422), call('payment-refund', 'o3', 200, null), call('stock-release', 'o3'), status('o3', 'cancelled')];
    const r = sagaCompensated.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'compensated-twice' });
    expect(r.examples[0]).toContain('o3 (book shipment refuses it): reserve stock ok, charge payment ok, book shipment 422, refund payment ok, release stock cut short by the kill, reserve stock ok (a replay)');
  });

  it('step-repeated: a charge made again with a new key', () => {
    const h = [order('o1'), call('stock-reserve', 'o1'), call('payment-charge', 'o1', 200, 'k1'), call('payment-charge', 'o1', 200, 'k2'), call('shipment-book', 'o1'), status('o1', 'completed')];
    expect(sagaCompensated.run(h, params)).toMatchObject({ status: 'fail', cause: 'step-repeated' });
  });

  it('not-compensated: the stock of a refused order never released', () => {
    const h = [order('o3', ['unshippable']), call('stock-reserve', 'o3'), call('payment-charge', 'o3'), call('shipment-book', 'o3', 422), call('payment-refund', 'o3'), status('o3', 'cancelled')];
    expect(sagaCompensated.run(h, params)).toMatchObject({ status: 'fail', cause: 'not-compensated', observed: '1 of 1 order did not end as an order should: 1 left half-done (a step not undone)' });
  });

  it('compensated-failed-step: a declined charge refunded', () => {
    const h = [order('o2', ['declined']), call('stock-reserve', 'o2'), call('payment-charge', 'o2', 402), call('payment-refund', 'o2'), call('stock-release', 'o2'), status('o2', 'cancelled')];
    expect(sagaCompensated.run(h, params)).toMatchObject({ status: 'fail', cause: 'compensated-failed-step' });
  });

  it('compensated-on-transient: a 503 taken for a refusal', () => {
    const h = [order('o4', ['flaky']), call('stock-reserve', 'o4'), call('payment-charge', 'o4'), call('shipment-book', 'o4', 503), call('payment-refund', 'o4'), call('stock-release', 'o4'), status('o4', 'cancelled')];
    expect(sagaCompensated.run(h, params)).toMatchObject({ status: 'fail', cause: 'compensated-on-transient' });
  });

  it('wrong-order: stock released before the refund', () => {
    const h = [order('o3', ['unshippable']), call('stock-reserve', 'o3'), call('payment-charge', 'o3'), call('shipment-book', 'o3', 422), call('stock-release', 'o3'), call('payment-refund', 'o3'), status('o3', 'cancelled')];
    expect(sagaCompensated.run(h, params)).toMatchObject({ status: 'fail', cause: 'wrong-order' });
  });

  it('wrong-order: refund and release at the same time (the release called before the refund answered)', () => {
    const refund = call('payment-refund', 'o3');
    const release = { ...call('stock-release', 'o3'), value: { instance: 1, status: 200, arrivedAt: refund.t - 5, fields: { idempotencyKey: 'o3:stock-release' } } };
    const h = [order('o3', ['unshippable']), call('stock-reserve', 'o3'), call('payment-charge', 'o3'), call('shipment-book', 'o3', 422), refund, release, status('o3', 'cancelled')];
    expect(sagaCompensated.run(h, params)).toMatchObject({ status: 'fail', cause: 'wrong-order' });
  });

  it('went-on-after-failure: shipped after a decline', () => {
    const h = [order('o2', ['declined']), call('stock-reserve', 'o2'), call('payment-charge', 'o2', 402), call('shipment-book', 'o2'), call('stock-release', 'o2'), status('o2', 'cancelled')];
    expect(sagaCompensated.run(h, params)).toMatchObject({ status: 'fail', cause: 'went-on-after-failure' });
  });

  it('steps-out-of-order: charged before the stock was reserved', () => {
    const h = [order('o2', ['declined']), call('payment-charge', 'o2', 402), call('stock-reserve', 'o2'), call('stock-release', 'o2'), status('o2', 'cancelled')];
    expect(sagaCompensated.run(h, params)).toMatchObject({ status: 'fail', cause: 'steps-out-of-order' });
  });

  it('status-missing and wrong-status', () => {
    expect(sagaCompensated.run([order('o2', ['declined']), ...declined('o2').slice(0, 3)], params)).toMatchObject({ status: 'fail', cause: 'status-missing' });
    expect(sagaCompensated.run([order('o2', ['declined']), ...declined('o2').slice(0, 3), status('o2', 'completed')], params)).toMatchObject({ status: 'fail', cause: 'wrong-status' });
  });

  it('wrong-status: "completed" for an order whose shipment never went through', () => {
    const h = [order('o1'), call('stock-reserve', 'o1'), call('payment-charge', 'o1'), status('o1', 'completed')];
    expect(sagaCompensated.run(h, params)).toMatchObject({ status: 'fail', cause: 'wrong-status' });
  });

  it('undo-not-retried: a refund answered 503 and never made again', () => {
    const h = [order('o3', ['unshippable']), call('stock-reserve', 'o3'), call('payment-charge', 'o3'), call('shipment-book', 'o3', 422), call('payment-refund', 'o3', 503), call('stock-release', 'o3'), status('o3', 'cancelled')];
    expect(sagaCompensated.run(h, params)).toMatchObject({ status: 'fail', cause: 'undo-not-retried' });
  });

  it('passes a refund answered 503 once and retried', () => {
    const h = [order('o3', ['unshippable']), call('stock-reserve', 'o3'), call('payment-charge', 'o3'), call('shipment-book', 'o3', 422), call('payment-refund', 'o3', 503), call('payment-refund', 'o3'), call('stock-release', 'o3'), status('o3', 'cancelled')];
    expect(sagaCompensated.run(h, params).status).toBe('pass');
  });

  it('reported-early: "cancelled" before the compensations, "completed" before the shipment', () => {
    const early = [order('o3', ['unshippable']), call('stock-reserve', 'o3'), call('payment-charge', 'o3'), call('shipment-book', 'o3', 422), status('o3', 'cancelled'), call('payment-refund', 'o3'), call('stock-release', 'o3')];
    const r = sagaCompensated.run(early, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'reported-early' });
    expect(r.examples[0]).toContain('book shipment 422, [status "cancelled" published here], refund payment ok, release stock ok; status "cancelled"');
    const shipped = [order('o1'), call('stock-reserve', 'o1'), call('payment-charge', 'o1'), status('o1', 'completed'), call('shipment-book', 'o1')];
    expect(sagaCompensated.run(shipped, params)).toMatchObject({ status: 'fail', cause: 'reported-early' });
  });

  it('passes a status published twice around a kill: the replays after the first status do not count', () => {
    const h = [order('o3', ['unshippable']), ...unshippable('o3'), call('stock-reserve', 'o3'), call('payment-charge', 'o3'), call('shipment-book', 'o3', 422), call('payment-refund', 'o3'), call('stock-release', 'o3'), status('o3', 'cancelled')];
    expect(sagaCompensated.run(h, params).status).toBe('pass');
  });

  it('abandoned: a shippable order dropped after a 503, and one whose undo the kill cut off, no status', () => {
    const h = [order('o4', ['flaky']), call('stock-reserve', 'o4'), call('payment-charge', 'o4'), call('shipment-book', 'o4', 503), order('o3', ['unshippable']), call('stock-reserve', 'o3'), call('payment-charge', 'o3'), call('shipment-book', 'o3', 422), call('payment-refund', 'o3'), call('stock-release', 'o3', 0)];
    const r = sagaCompensated.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'abandoned', observed: '2 of 2 orders did not end as an order should: 2 left half-way (no status, work not finished)' });
  });

  it('status-unreadable: finished orders without status while unreadable statuses arrived, with one body shown', () => {
    const bad: Operation = { t: (clock += 10), process: 'lab', kind: 'consume', outcome: 'fail', stream: 'order-status', value: '{"order_id":"o1","status":"completed"}' };
    const h = [order('o1'), ...completes('o1').slice(0, 3), bad];
    const r = sagaCompensated.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'status-unreadable' });
    expect(r.observed).toContain('{"order_id":"o1","status":"completed"}');
    expect(r.observed).toContain('asked: {"orderId": "...", "status": "completed" | "cancelled"}');
  });

  it('is unknown when no order was worked on', () => {
    expect(sagaCompensated.run(orders, params).status).toBe('unknown');
  });
});
