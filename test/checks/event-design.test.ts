// The event-design checks over literal histories, validated against the lab's own schemas.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyName, correlationAndCausation, eventNames, eventsFollowSchema, readSchemaDir, schemaEvolution, uniqueEventIds } from '../../src/checks/events.js';
import { LABS_DIR } from '../../src/paths.js';
import type { Operation } from '../../src/runner/history.js';

const schemas = readSchemaDir(path.join(LABS_DIR, 'event-design', 'schemas'));
const eventFor = { PlaceOrder: 'order.placed', PayOrder: 'order.paid', ShipOrder: 'order.shipped' };
const base = { sent: { kind: 'produce', stream: 'commands' }, delivered: { kind: 'consume', stream: 'events' }, eventFor } as const;
const schemaParams = {
  ...base,
  schemas,
  copies: { 'order.placed': ['orderId', 'customerId', 'items', 'total', 'currency'], 'order.paid': ['orderId', 'amount', 'paymentMethod'], 'order.shipped': ['orderId', 'carrier', 'trackingNumber'] },
};
const evolutionParams = { ...base, schemas, oldVersion: 1 };

const items = [{ sku: 'SKU-MUG', quantity: 2, unitPrice: 4.5 }];
type Fields = Record<string, unknown>;

/** The three commands of one order (n), the PlaceOrder asking for `schemaVersion` when given. */
function commands(n: number, schemaVersion?: number): Operation[] {
  const common = { correlationId: `corr-${n}`, orderId: `order-${n}` };
  const list: Fields[] = [
    { type: 'PlaceOrder', commandId: `cmd-${n}-place`, ...common, customerId: 'customer-01', items, total: 9, currency: 'EUR', ...(schemaVersion ? { schemaVersion } : {}) },
    { type: 'PayOrder', commandId: `cmd-${n}-pay`, ...common, amount: 9, currency: 'EUR', paymentMethod: 'card' },
    { type: 'ShipOrder', commandId: `cmd-${n}-ship`, ...common, carrier: 'DHL', trackingNumber: 'TRK-1' },
  ];
  return list.map((value) => ({ t: 0, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'commands', key: String(value.commandId), value }));
}

let uuid = 0;
const nextUuid = () => `00000000-0000-4000-8000-${String(++uuid).padStart(12, '0')}`;

/** The right event for one command of order n, with `change` applied to the envelope. */
function envelope(n: number, which: 'place' | 'pay' | 'ship', change: (e: Fields) => Fields = (e) => e, version = 1): Fields {
  const data: Record<typeof which, Fields> = {
    place: { orderId: `order-${n}`, customerId: 'customer-01', items, total: 9, ...(version === 2 ? { currency: 'EUR' } : {}) },
    pay: { orderId: `order-${n}`, amount: 9, paymentMethod: 'card' },
    ship: { orderId: `order-${n}`, carrier: 'DHL', trackingNumber: 'TRK-1' },
  };
  const type = { place: 'order.placed', pay: 'order.paid', ship: 'order.shipped' }[which];
  return change({ id: nextUuid(), type, version, occurredAt: '2025-03-01T12:00:00.000Z', correlationId: `corr-${n}`, causationId: `cmd-${n}-${which}`, data: data[which] });
}

function seen(body: Fields | string, routingKey?: string): Operation {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const key = typeof body === 'string' ? (routingKey ?? '') : String(body.type);
  return { t: 5, process: 'lab', kind: 'consume', outcome: 'ok', stream: 'events', value: { routingKey: routingKey ?? key, body: text } };
}

/** A correct run: order 1 all version 1, order 2 asked for (and given) order.placed version 2. */
function correct(): Operation[] {
  return [
    ...commands(1),
    ...commands(2, 2),
    ...(['place', 'pay', 'ship'] as const).map((w) => seen(envelope(1, w))),
    seen(envelope(2, 'place', undefined, 2)),
    seen(envelope(2, 'pay')),
    seen(envelope(2, 'ship')),
  ];
}

/** `correct()` with one event (by index among the events) replaced. */
function withEvent(index: number, event: Operation): Operation[] {
  const h = correct();
  h[6 + index] = event;
  return h;
}

describe('the lab\'s schemas', () => {
  it('are read from the lab folder: the envelope and each type\'s versions', () => {
    expect(Object.keys(schemas.data).sort()).toEqual(['order.paid', 'order.placed', 'order.shipped']);
    expect(Object.keys(schemas.data['order.placed'] ?? {})).toEqual(['1', '2']);
  });
  it('parseParams reads them from schemaDir', () => {
    const p = eventsFollowSchema.parseParams({ ...base, schemaDir: 'labs/event-design/schemas' });
    expect(p.schemas.data['order.paid']?.['1']).toBeDefined();
    expect(() => eventsFollowSchema.parseParams({ ...base, schemaDir: 'labs/nope' })).toThrow('"schemaDir": cannot read');
  });
});

describe('events-follow-schema', () => {
  it('passes envelopes whose data follows their type and version and copies the command', () => {
    expect(eventsFollowSchema.run(correct(), schemaParams)).toMatchObject({ status: 'pass', observed: 'all 6 events followed their schemas' });
  });
  it('is unknown when no event arrived', () => {
    expect(eventsFollowSchema.run(commands(1), schemaParams).status).toBe('unknown');
  });
  it('fails a body that is not JSON', () => {
    const r = eventsFollowSchema.run(withEvent(0, seen('order placed', 'order.placed')), schemaParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'not-json' });
  });
  it('names the envelope field that is missing', () => {
    const h = correct().map((op) => (op.kind === 'consume' ? seen({ ...JSON.parse((op.value as { body: string }).body), causationId: undefined }) : op));
    const r = eventsFollowSchema.run(h, schemaParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'envelope-missing-field', observed: '6 of 6 events lacked an envelope field' });
    expect(r.examples[0]).toContain('the envelope has no causationId');
  });
  it('tells a time without its zone apart, showing the value', () => {
    const r = eventsFollowSchema.run(withEvent(1, seen(envelope(1, 'pay', (e) => ({ ...e, occurredAt: '2025-03-01T12:00:00.123456' })))), schemaParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'occurred-at-format', observed: '1 of 6 events had an occurredAt that is not ISO 8601 with a time zone' });
    expect(r.examples[0]).toContain('occurredAt is "2025-03-01T12:00:00.123456": it has no time zone');
  });
  it('fails an occurredAt from before the command was sent (taken once at start-up)', () => {
    const sentAtWall = Date.parse('2025-03-01T12:00:05.000Z');
    const h = correct().map((op) => (op.kind === 'produce' ? { ...op, value: { ...(op.value as Fields), sentAtWall } } : op));
    const r = eventsFollowSchema.run(h, schemaParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'occurred-at-time', observed: '6 of 6 events said they happened before their command was sent' });
    expect(r.examples[0]).toMatch(/occurredAt is 2025-03-01T12:00:00.000Z, 5.0s before the lab sent its command cmd-1-place/);
    // Sent just before the event happened: fine.
    const ok = correct().map((op) => (op.kind === 'produce' ? { ...op, value: { ...(op.value as Fields), sentAtWall: sentAtWall - 5_010 } } : op));
    expect(eventsFollowSchema.run(ok, schemaParams).status).toBe('pass');
  });
  it('fails a command-like type and an id that is not a UUID, each with its cause', () => {
    expect(eventsFollowSchema.run(withEvent(0, seen(envelope(1, 'place', (e) => ({ ...e, type: 'PlaceOrder' })))), schemaParams).cause).toBe('type-format');
    expect(eventsFollowSchema.run(withEvent(0, seen(envelope(1, 'place', (e) => ({ ...e, id: 'evt-1' })))), schemaParams).cause).toBe('id-format');
  });
  it('fails a version given as a string', () => {
    const r = eventsFollowSchema.run(withEvent(0, seen(envelope(1, 'place', (e) => ({ ...e, version: '1' })))), schemaParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'envelope-violation' });
    expect(r.examples[0]).toContain('version is "1", but must be integer');
  });
  it('fails a type or version without a schema, listing the ones there are', () => {
    const r = eventsFollowSchema.run(withEvent(1, seen(envelope(1, 'pay', (e) => ({ ...e, version: 2 })))), schemaParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'no-schema' });
    expect(r.examples[0]).toContain('no schema for type "order.paid" version 2 (there are: order.paid v1; order.placed v1, v2; order.shipped v1)');
  });
  it('fails data the schema of its version rejects, naming the field', () => {
    const renamed = envelope(2, 'place', (e) => ({ ...e, data: { orderId: 'order-2', customerId: 'customer-01', items, amount: 9, currency: 'EUR' } }), 2);
    const r = eventsFollowSchema.run(withEvent(3, seen(renamed)), schemaParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'data-violation', observed: '1 of 6 events had data that its type\'s schema rejects' });
    expect(r.examples[0]).toContain('order.placed.v2.schema.json rejects it: data has no total');
  });
  it('fails a version 2 event without the field version 2 adds', () => {
    const r = eventsFollowSchema.run(withEvent(3, seen(envelope(2, 'place', (e) => ({ ...e, version: 2 }), 1))), schemaParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'data-violation' });
    expect(r.examples[0]).toContain('data has no currency');
  });
  it('compares copied fields whatever the order of their keys', () => {
    const reordered = envelope(1, 'place', (e) => ({ ...e, data: { total: 9, items: [{ unitPrice: 4.5, sku: 'SKU-MUG', quantity: 2 }], customerId: 'customer-01', orderId: 'order-1' } }));
    expect(eventsFollowSchema.run(withEvent(0, seen(reordered)), schemaParams).status).toBe('pass');
  });
  it('fails data that does not say what its command says', () => {
    const r = eventsFollowSchema.run(withEvent(0, seen(envelope(1, 'place', (e) => ({ ...e, data: { ...(e.data as Fields), total: 4.5 } })))), schemaParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'wrong-data' });
    expect(r.examples[0]).toContain('data.total is 4.5, but its command cmd-1-place says 9');
  });
});

describe('event-names', () => {
  it('passes past-tense types published with their type as routing key', () => {
    expect(eventNames.run(correct(), base)).toMatchObject({ status: 'pass' });
  });
  it.each([
    ['PlaceOrder', 'command-name'],
    ['order.place', 'command-name'],
    ['place_order', 'command-name'],
    ['order.placed.v2', 'version-in-name'],
    ['OrderPlacedV2', 'version-in-name'],
    ['OrderPlaced', 'not-dot-case'],
    ['order_placed', 'not-dot-case'],
    ['order.created', 'unknown-name'],
  ])('classifies %s as %s', (type, cause) => {
    expect(classifyName(type, eventFor)).toBe(cause);
  });
  it('fails events named after their command, saying which type each should have', () => {
    const h = correct().map((op) => (op.kind === 'consume' ? seen({ ...JSON.parse((op.value as { body: string }).body), type: 'PayOrder' }, 'x') : op));
    const r = eventNames.run(h, base);
    expect(r).toMatchObject({ status: 'fail', cause: 'command-name', observed: '6 of 6 events: each named after its command instead of what happened' });
    expect(r.examples[0]).toContain('for PlaceOrder cmd-1-place: type "PayOrder"; it should be "order.placed"');
  });
  it('fails a routing key other than the type', () => {
    const r = eventNames.run(withEvent(2, seen(envelope(1, 'ship'), 'events')), base);
    expect(r).toMatchObject({ status: 'fail', cause: 'routing-key' });
    expect(r.examples[0]).toContain('published with routing key "events"; it should be "order.shipped"');
  });
  it('fails an event of the wrong type for its command', () => {
    const r = eventNames.run(withEvent(1, seen(envelope(1, 'pay', (e) => ({ ...e, type: 'order.shipped' })))), base);
    expect(r).toMatchObject({ status: 'fail', cause: 'wrong-event-for-command' });
  });
});

describe('correlation-and-causation', () => {
  const eachEvent = (change: (e: Fields) => Fields) => correct().map((op) => (op.kind === 'consume' ? seen(change(JSON.parse((op.value as { body: string }).body))) : op));
  it('passes events naming their command and its flow', () => {
    expect(correlationAndCausation.run(correct(), base)).toMatchObject({ status: 'pass', observed: 'all 6 commands got their event, each naming its cause and flow' });
  });
  it('fails events without causationId, finding their command by the order', () => {
    const r = correlationAndCausation.run(eachEvent((e) => ({ ...e, causationId: undefined })), base);
    expect(r).toMatchObject({ status: 'fail', cause: 'missing-causation', observed: '6 of 6 events had no causationId' });
    expect(r.examples[0]).toContain('no causationId; it should be "cmd-1-place", the commandId of PlaceOrder for order-1');
  });
  it('tells a causationId that is the correlationId apart', () => {
    const r = correlationAndCausation.run(eachEvent((e) => ({ ...e, causationId: e.correlationId })), base);
    expect(r).toMatchObject({ status: 'fail', cause: 'causation-is-correlation' });
    expect(r.examples[0]).toContain('causationId "corr-1" is the flow\'s correlationId');
  });
  it('recognises a causationId that is the event\'s own id', () => {
    const r = correlationAndCausation.run(eachEvent((e) => ({ ...e, causationId: e.id })), base);
    expect(r).toMatchObject({ status: 'fail', cause: 'causation-unknown' });
    expect(r.examples[0]).toContain('is the event\'s own id');
  });
  it('fails a missing or made-up correlationId, showing the command\'s', () => {
    expect(correlationAndCausation.run(eachEvent((e) => ({ ...e, correlationId: undefined })), base).cause).toBe('missing-correlation');
    const r = correlationAndCausation.run(eachEvent((e) => ({ ...e, correlationId: e.causationId })), base);
    expect(r).toMatchObject({ status: 'fail', cause: 'correlation-wrong' });
    expect(r.examples[0]).toContain('correlationId "cmd-1-place" (a commandId); its command cmd-1-place has "corr-1"');
  });
  it('fails commands that got no event', () => {
    const r = correlationAndCausation.run(correct().slice(0, 8), base);
    expect(r).toMatchObject({ status: 'fail', cause: 'no-event', observed: '4 of 6 commands got no event' });
    expect(r.examples[0]).toBe('ShipOrder cmd-1-ship (order order-1): no event traced to it');
  });
  it('unreadable-events: commands without an event while the events that came were not JSON', () => {
    const h = [...commands(1), seen("{'type': 'order.placed'}", 'order.placed'), seen("{'type': 'order.paid'}", 'order.paid')];
    const r = correlationAndCausation.run(h, base);
    expect(r).toMatchObject({ status: 'fail', cause: 'unreadable-events', observed: '3 of 3 commands got no event the lab could read: 2 events arrived that are not a JSON object' });
  });
  it('names an event\'s missing cause before the commands it leaves unanswered', () => {
    const h = [...commands(1), seen(envelope(1, 'place', (e) => ({ ...e, causationId: undefined, data: {} })))];
    expect(correlationAndCausation.run(h, base).cause).toBe('missing-causation');
  });
});

describe('schema-evolution', () => {
  it('passes version 2 where asked, readable by version 1 readers', () => {
    expect(schemaEvolution.run(correct(), evolutionParams)).toMatchObject({ status: 'pass', observed: 'all 6 events had the version asked for, 1 of them the new one, and a version 1 reader can read each' });
  });
  it('fails an event that stayed at version 1 when version 2 was asked for', () => {
    const r = schemaEvolution.run(withEvent(3, seen(envelope(2, 'place'))), evolutionParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'not-upgraded' });
    expect(r.examples[0]).toContain('version 1; its command cmd-2-place asks for version 2');
  });
  it('fails a rename under the same version, guessing the new name', () => {
    const changed = envelope(2, 'place', (e) => ({ ...e, data: { orderId: 'order-2', customerId: 'customer-01', items, amount: 9, currency: 'EUR' } }));
    const r = schemaEvolution.run(withEvent(3, seen(changed)), evolutionParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'changed-under-same-version' });
    expect(r.examples[0]).toContain('says version 1, but its data lacks total (renamed to amount?)');
  });
  it('fails a version 2 that version 1 readers cannot read', () => {
    const broken = envelope(2, 'place', (e) => ({ ...e, data: { orderId: 'order-2', customerId: 'customer-01', items, amount: 9, currency: 'EUR' } }), 2);
    const r = schemaEvolution.run(withEvent(3, seen(broken)), evolutionParams);
    expect(r).toMatchObject({ status: 'fail', cause: 'breaking-change', observed: '1 of 6 events had a new version that a version 1 reader cannot read' });
  });
  it('fails a new version nobody asked for', () => {
    expect(schemaEvolution.run(withEvent(0, seen(envelope(1, 'place', undefined, 2))), evolutionParams).cause).toBe('wrong-version');
  });
  it('leaves a broken version 1 event asked as version 1 to events-follow-schema', () => {
    expect(schemaEvolution.run(withEvent(0, seen(envelope(1, 'place', (e) => ({ ...e, data: {} })))), evolutionParams).status).toBe('pass');
  });
  it('is unknown when no event of the asked type can be traced to the commands asking for version 2', () => {
    const r = schemaEvolution.run(withEvent(3, seen(envelope(2, 'place', (e) => ({ ...e, type: 'order.placed.v2' }), 2))), evolutionParams);
    expect(r).toMatchObject({ status: 'unknown', observed: 'no order.placed event could be traced to the 1 command that asks for a new version, so there was nothing to check' });
  });
});

describe('unique-event-ids', () => {
  const params = { delivered: base.delivered };
  it('passes distinct ids, and one event delivered twice', () => {
    const h = correct();
    expect(uniqueEventIds.run([...h, h[6] as Operation], params)).toMatchObject({ status: 'pass', observed: 'all 6 ids were each carried by one event' });
  });
  it('fails ids that repeat across orders (a counter in each copy)', () => {
    const h = [...commands(1), ...commands(2), seen(envelope(1, 'place', (e) => ({ ...e, id: 'a' }))), seen(envelope(2, 'place', (e) => ({ ...e, id: 'a' }))), seen(envelope(1, 'pay', (e) => ({ ...e, id: 'b' }))), seen(envelope(1, 'ship', (e) => ({ ...e, id: 'b' })))];
    const r = uniqueEventIds.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'repeats', observed: '2 ids were each carried by several different events (4 of 4 events)' });
    expect(r.examples[0]).toBe('id "a": order.placed of order order-1 caused by cmd-1-place; order.placed of order order-2 caused by cmd-2-place');
  });
  it('tells ids shared by the events of one order apart', () => {
    const h = [...commands(1), ...(['place', 'pay', 'ship'] as const).map((w) => seen(envelope(1, w, (e) => ({ ...e, id: 'order-1-id' }))))];
    expect(uniqueEventIds.run(h, params)).toMatchObject({ status: 'fail', cause: 'shared-within-order' });
  });
  it('is unknown without events', () => {
    expect(uniqueEventIds.run(commands(1), params).status).toBe('unknown');
  });
});
