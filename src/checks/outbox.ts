/**
 * The transactional outbox's checks: outbox-events-published, no-phantom-events,
 * event-ids-stable and order-event-content.
 *
 * Definitions:
 * - sent order: a `produce` of stream "orders"; valid unless tagged "invalid" (amountCents
 *   <= 0, which the orders table's CHECK refuses).
 * - event: a `consume` of stream "events": a message the lab's own queue, bound with "#" to
 *   the events exchange, received; keyed by the orderId in its body. Copies are allowed
 *   (at-least-once): the same order's event may arrive more than once.
 * - the tables: the observation "outbox-tables", the orders and outbox tables as the lab read
 *   them once the program had stopped. A row gone by then that the lab saw during the run
 *   (deleted instead of marked) counts as marked sent.
 * - committed order: a row in the orders table.
 *
 * outbox-events-published fails when a valid order's event never arrived; the cause, by the
 * first such order the evidence explains, in this order:
 * - no-outbox-row: the order was committed without a row in the outbox (written in a second
 *   transaction, or published from the handler after the commit: a dual write) and its event
 *   never left: the service was killed between the two;
 * - marked-not-published: its outbox row was marked sent (or deleted), the event never arrived:
 *   the relay marked it before RabbitMQ confirmed the publish, or marked rows it never
 *   published (`WHERE sent_at IS NULL` instead of the ids it sent: a row committed during
 *   its pass);
 * - skipped-by-relay: its outbox row is still unsent, written before PostgreSQL's restart: the
 *   relay passed it over (it resumed from a position it kept in memory, not from the table);
 * - stopped-after-db-restart: its unsent row was written after PostgreSQL's restart: the relay
 *   stopped publishing when its connection broke;
 * - acked-before-commit: the order is not in the table, and the lab killed the service while
 *   that order's transaction was open (kill-learner event keyed by it, reason
 *   "open-transaction"): the command was acked before the commit, so it never came again;
 * - not-written: the order is not in the table at all (the service dropped the command, or
 *   stopped working after the restart).
 * When no event arrived at all, no cause is named (nothing is published yet: the task's
 * general hint applies).
 * no-phantom-events fails when an event arrived for an order that is not in the orders table
 * (cause published-before-commit: published before the transaction, which then rolled back).
 * event-ids-stable fails when an event has no eventId (missing-id), when one order's events
 * carry different eventIds: with several outbox rows for the order (outbox-row-per-delivery:
 * the service wrote an outbox row for a redelivered command whose order was already there),
 * else with one row (new-id-per-publish: the relay made a new id at publish time), or when its eventId is not its outbox
 * row's event_id (not-outbox-id): consumers dedupe by that id.
 * order-event-content fails when an event is not JSON (unreadable), was published with another
 * routing key than "order.placed" (wrong-routing-key), has another type than "OrderPlaced"
 * (wrong-type), or its orderId, customer or amountCents differ from the order's (wrong-field).
 */
import type { History, Operation } from '../runner/history.js';
import { faultEvents } from '../faults/events.js';
import { lastObservation } from '../runner/observations.js';
import { type CheckDefinition, countOf, firstFew, select, tagsOf } from './types.js';

export interface OutboxParams {
  /** The routing key and type every event must carry. */
  routingKey: string;
  type: string;
}

function parseParams(raw: Record<string, unknown>): OutboxParams {
  return { routingKey: typeof raw.routingKey === 'string' ? raw.routingKey : 'order.placed', type: typeof raw.type === 'string' ? raw.type : 'OrderPlaced' };
}

interface SentOrder {
  orderId: string;
  customer: unknown;
  amountCents: unknown;
  valid: boolean;
  phase: string;
}

function sentOrders(history: History): Map<string, SentOrder> {
  const sent = new Map<string, SentOrder>();
  for (const op of select(history, { kind: 'produce', stream: 'orders' }, 'ok')) {
    const v = (op.value ?? {}) as Record<string, unknown>;
    if (op.key === undefined || v.copyOf !== undefined) continue;
    sent.set(op.key, { orderId: op.key, customer: v.customer, amountCents: v.amountCents, valid: !tagsOf(op).includes('invalid'), phase: typeof v.phase === 'string' ? v.phase : '' });
  }
  return sent;
}

interface EventValue {
  routingKey?: string;
  fields?: Record<string, unknown>;
  raw?: string;
}

const events = (history: History): Operation[] => select(history, { kind: 'consume', stream: 'events' });
const valueOf = (op: Operation): EventValue => (op.value ?? {}) as EventValue;

export const OUTBOX_PUBLISHED_CAUSES = {
  'no-outbox-row':
    'An order was committed without its event in the outbox, and the event never left: the service was killed between the commit and the publish (a dual write), or between two transactions. Insert the order and its outbox row in ONE transaction; only the relay publishes.',
  'marked-not-published':
    'Outbox rows were marked sent, yet their events never reached RabbitMQ: the relay marked rows it had not published, or not yet. Either it marked them before the publish was confirmed and was killed in between, or its UPDATE marked more than it sent (WHERE sent_at IS NULL also marks rows committed while it was publishing). Publish, wait for the confirm, then mark exactly the ids you published: UPDATE outbox SET sent_at = now() WHERE id = ANY($1).',
  'skipped-by-relay':
    'Outbox rows were never published, nor marked: after its restart the relay resumed from a position it kept in memory and passed them over. Let the table say what is left to do: publish every row whose sent_at is NULL, oldest first.',
  'stopped-after-db-restart':
    'The events of orders written after PostgreSQL restarted stayed in the outbox: the relay stopped publishing when its connection broke. Catch the error, reconnect (a pool does it for you), and go on polling.',
  'acked-before-commit':
    'An order the lab killed the service on, while its transaction was still open, never reached the orders table: the service had acked the command before its COMMIT, so RabbitMQ did not deliver it again and the rolled-back order was lost. Ack a command only after its transaction committed: a kill before that leaves it unacked, and it comes again.',
  'not-written':
    'Some valid orders never reached the orders table: the service dropped their commands (acked before the commit, or gave up on an error), or stopped after PostgreSQL restarted. Ack a command after its transaction committed, and reconnect after an error.',
} as const;

export const outboxEventsPublished: CheckDefinition<OutboxParams> = {
  name: 'outbox-events-published',
  causes: OUTBOX_PUBLISHED_CAUSES,
  parseParams,
  run(history) {
    const title = 'Every order placed gets its event published';
    const expected = 'an OrderPlaced event in RabbitMQ for every valid order (copies allowed), also when the service or the relay is killed, and after PostgreSQL restarts';
    const sent = [...sentOrders(history).values()].filter((o) => o.valid);
    if (sent.length === 0) return { title, status: 'unknown', expected, observed: 'the lab sent no order', examples: [] };
    const arrived = new Set(events(history).map((op) => op.key));
    const lost = sent.filter((o) => !arrived.has(o.orderId));
    if (lost.length === 0) return { title, status: 'pass', expected, observed: `the events of all ${sent.length} valid orders arrived`, examples: [] };
    const tables = lastObservation(history, 'outbox-tables');
    const observed = `${countOf(lost.length, sent.length, 'valid order')} never got an event`;
    // Nothing at all was published: no particular window explains that, the task is not done yet.
    if (arrived.size === 0) return { title, status: 'fail', expected, observed: `no event arrived at all for the ${sent.length} valid orders`, examples: firstFew(lost).map((o) => o.orderId) };
    if (!tables) return { title, status: 'fail', expected, observed, examples: firstFew(lost).map((o) => o.orderId) };
    const committed = new Set(tables.orders.map((o) => o.orderId));
    const rows = new Map<string, boolean>(); // order id -> marked sent (any of its rows)
    for (const r of tables.outbox) rows.set(r.orderId, (rows.get(r.orderId) ?? false) || r.sent);
    for (const r of tables.vanished) rows.set(r.orderId, true);
    // Orders the lab killed the service on inside their open transaction.
    const killedOpen = new Set(faultEvents(history).filter((op) => op.value.fault === 'kill-learner' && op.value.phase === 'start' && op.value.reason === 'open-transaction' && op.key !== undefined).map((op) => op.key as string));
    const causeOf = (o: SentOrder): keyof typeof OUTBOX_PUBLISHED_CAUSES => {
      if (!committed.has(o.orderId)) return killedOpen.has(o.orderId) ? 'acked-before-commit' : 'not-written';
      const marked = rows.get(o.orderId);
      if (marked === undefined) return 'no-outbox-row';
      if (marked) return 'marked-not-published';
      return o.phase === 'after-db-restart' ? 'stopped-after-db-restart' : 'skipped-by-relay';
    };
    const explained = lost.map((o) => ({ o, cause: causeOf(o) }));
    const order = Object.keys(OUTBOX_PUBLISHED_CAUSES);
    const cause = explained.map((x) => x.cause).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0];
    const says: Record<keyof typeof OUTBOX_PUBLISHED_CAUSES, string> = {
      'no-outbox-row': 'committed, no outbox row',
      'marked-not-published': 'outbox row marked sent, no event',
      'skipped-by-relay': 'outbox row never sent',
      'stopped-after-db-restart': 'written after the restart, outbox row never sent',
      'acked-before-commit': 'the service was killed inside its transaction; not in the orders table, the command never came again',
      'not-written': 'not in the orders table',
    };
    return {
      title,
      status: 'fail',
      expected,
      observed,
      examples: firstFew(explained).map(({ o, cause: c }) => `${o.orderId} (sent in phase "${o.phase}"): ${says[c]}`),
      ...(cause ? { cause } : {}),
    };
  },
};

export const noPhantomEvents: CheckDefinition<OutboxParams> = {
  name: 'no-phantom-events',
  causes: {
    'published-before-commit':
      'Events arrived for orders that were never committed (the invalid ones, whose insert the CHECK refused): they were published before the transaction, which then rolled back. Publish only what a committed transaction put in the outbox.',
  },
  parseParams,
  run(history) {
    const title = 'No event for an order that was not committed';
    const expected = 'events only for orders in the orders table: none for the invalid orders (amountCents <= 0), which roll back';
    const tables = lastObservation(history, 'outbox-tables');
    if (!tables) return { title, status: 'unknown', expected, observed: 'the lab could not read the orders table at the end', examples: [] };
    const committed = new Set(tables.orders.map((o) => o.orderId));
    const sent = sentOrders(history);
    const phantoms = [...new Set(events(history).filter((op) => op.key !== undefined && !committed.has(op.key)).map((op) => op.key as string))];
    if (phantoms.length === 0) return { title, status: 'pass', expected, observed: `every event was for a committed order (${[...sent.values()].filter((o) => !o.valid).length} invalid orders, no event for any)`, examples: [] };
    return {
      title,
      status: 'fail',
      expected,
      observed: `${phantoms.length} order${phantoms.length === 1 ? '' : 's'} not in the orders table got an event`,
      examples: firstFew(phantoms).map((id) => `${id}${sent.get(id)?.valid === false ? ` (invalid: amountCents ${String(sent.get(id)?.amountCents)})` : ''}`),
      cause: 'published-before-commit',
    };
  },
};

export const eventIdsStable: CheckDefinition<OutboxParams> = {
  name: 'event-ids-stable',
  causes: {
    'missing-id': 'Events came without an eventId: consumers cannot tell a copy from a new event. Put the outbox row\'s event_id in every event as "eventId".',
    'outbox-row-per-delivery':
      'One order got several outbox rows, each published under its own eventId: the service wrote an outbox row again when the command came again (after the lab killed it), although the order was already there and its insert did nothing. Write the outbox row only when the order insert inserted a row (INSERT ... ON CONFLICT DO NOTHING, then check rowCount === 1; psycopg: cursor.rowcount).',
    'new-id-per-publish':
      'Copies of one order\'s event carried different eventIds, so a consumer cannot recognise the copy the relay sent again after a kill. The id must be made once, when the event is written: use the outbox row\'s event_id, never a new id at publish time.',
    'not-outbox-id': 'An event\'s eventId is not its outbox row\'s event_id. Publish the event_id the row was written with, unchanged.',
  },
  parseParams,
  run(history) {
    const title = 'Every copy of an event carries the same eventId';
    const expected = 'each event has an eventId, the event_id of its outbox row, the same in every copy (consumers dedupe by it)';
    const all = events(history).filter((op) => op.outcome === 'ok' && op.key !== undefined);
    if (all.length === 0) return { title, status: 'unknown', expected, observed: 'no event arrived', examples: [] };
    const missing = all.filter((op) => typeof valueOf(op).fields?.eventId !== 'string' || valueOf(op).fields?.eventId === '');
    if (missing.length > 0) return { title, status: 'fail', expected, observed: `${countOf(missing.length, all.length, 'event')} had no eventId`, examples: firstFew(missing).map((op) => valueOf(op).raw ?? ''), cause: 'missing-id' };
    const ids = new Map<string, string[]>();
    for (const op of all) {
      const list = ids.get(op.key as string) ?? [];
      const id = String(valueOf(op).fields?.eventId).toLowerCase();
      if (!list.includes(id)) list.push(id);
      ids.set(op.key as string, list);
    }
    const copies = all.length - ids.size;
    const changing = [...ids].filter(([, list]) => list.length > 1);
    const tables = lastObservation(history, 'outbox-tables');
    const rowIds = new Map<string, Set<string>>();
    for (const r of [...(tables?.outbox ?? []), ...(tables?.vanished ?? [])]) rowIds.set(r.orderId, (rowIds.get(r.orderId) ?? new Set()).add(r.eventId.toLowerCase()));
    if (changing.length > 0) {
      // Several outbox rows for one order: the service wrote them; one row: the relay made the ids.
      const perDelivery = changing.filter(([order]) => (rowIds.get(order)?.size ?? 0) > 1);
      const shown = perDelivery.length > 0 ? perDelivery : changing;
      return {
        title,
        status: 'fail',
        expected,
        observed: `${changing.length} order${changing.length === 1 ? '\'s event' : 's\' events'} arrived more than once under different eventIds`,
        examples: firstFew(shown).map(([order, list]) => `${order}: ${list.join(', ')}${perDelivery.length > 0 ? ` (${rowIds.get(order)?.size} outbox rows for this order)` : ''}`),
        cause: perDelivery.length > 0 ? 'outbox-row-per-delivery' : 'new-id-per-publish',
      };
    }
    const foreign = tables ? [...ids].filter(([order, list]) => rowIds.has(order) && !list.every((id) => rowIds.get(order)?.has(id))) : [];
    if (foreign.length > 0) {
      return { title, status: 'fail', expected, observed: `${foreign.length} event${foreign.length === 1 ? '' : 's'} carried an eventId that is not its outbox row's event_id`, examples: firstFew(foreign).map(([order, list]) => `${order}: eventId ${list.join(', ')}, outbox event_id ${[...(rowIds.get(order) ?? [])].join(', ')}`), cause: 'not-outbox-id' };
    }
    return { title, status: 'pass', expected, observed: `${ids.size} events, ${copies} cop${copies === 1 ? 'y' : 'ies'} sent again, each under its event's one eventId`, examples: [] };
  },
};

export const orderEventContent: CheckDefinition<OutboxParams> = {
  name: 'order-event-content',
  causes: {
    unreadable: 'An event is not a JSON object. Publish JSON: {"eventId", "type", "orderId", "customer", "amountCents"}.',
    'wrong-routing-key': 'Events were published with another routing key than the README\'s: consumers bind to "order.placed" and never see the others.',
    'wrong-type': 'An event\'s "type" is not "OrderPlaced".',
    'wrong-field': 'An event\'s orderId, customer or amountCents is not the order\'s: copy them from the order as it came.',
  },
  parseParams,
  run(history, p) {
    const title = 'Each event says what happened, as specified';
    const expected = `JSON {eventId, type: "${p.type}", orderId, customer, amountCents} with the order's values, published with routing key "${p.routingKey}"`;
    const all = events(history);
    if (all.length === 0) return { title, status: 'unknown', expected, observed: 'no event arrived', examples: [] };
    const sent = sentOrders(history);
    const problems: Array<{ cause: string; text: string }> = [];
    for (const op of all) {
      const v = valueOf(op);
      const f = v.fields ?? {};
      if (op.outcome !== 'ok') problems.push({ cause: 'unreadable', text: `not JSON: ${JSON.stringify(v.raw ?? '')}` });
      else if (v.routingKey !== p.routingKey) problems.push({ cause: 'wrong-routing-key', text: `${op.key ?? '?'}: routing key "${v.routingKey ?? ''}"` });
      else if (f.type !== p.type) problems.push({ cause: 'wrong-type', text: `${op.key ?? '?'}: type ${JSON.stringify(f.type)}` });
      else {
        const order = sent.get(op.key ?? '');
        const wrong = order ? (['customer', 'amountCents'] as const).filter((k) => f[k] !== order[k]) : ['orderId'];
        if (wrong.length > 0) problems.push({ cause: 'wrong-field', text: `${op.key ?? '?'}: ${wrong.map((k) => `${k} ${JSON.stringify(f[k])}${order ? ` (the order's: ${JSON.stringify(order[k as 'customer' | 'amountCents'])})` : ''}`).join(', ')}` });
      }
    }
    if (problems.length === 0) return { title, status: 'pass', expected, observed: `all ${all.length} events as specified`, examples: [] };
    const order = ['unreadable', 'wrong-routing-key', 'wrong-type', 'wrong-field'];
    const cause = problems.map((x) => x.cause).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] as string;
    return { title, status: 'fail', expected, observed: `${countOf(problems.length, all.length, 'event')} not as specified`, examples: firstFew(problems.filter((x) => x.cause === cause)).map((x) => x.text), cause };
  },
};
