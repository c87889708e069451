/**
 * order-outcomes
 *
 * A chain of services (order -> payment -> shipping) must bring every order to one end, the
 * right one: shipped after it was paid, or recorded as failed when its payment was declined.
 * Orders that reach no end at all are no-lost-messages' business; this check judges the
 * ends that were reached, and the declined orders (which no-lost-messages leaves out).
 *
 * Definitions:
 * - order: an operation matching `sent` with outcome "ok". A declined order carries
 *   `declinedTag`: the payments API declines its charge (402), every time: that is final.
 * - charge: an operation matching `charges` with the order's key. Completed when it was
 *   answered (outcome "ok": paid; "fail": declined), cut when its caller was killed while it
 *   was in flight ("info").
 * - paid at: when the order's first charge answered OK.
 * - shipment: an operation matching `shipments` with outcome "ok" (the shipping API took the
 *   order); its time is when the call arrived (`value.arrivedAt`) when recorded.
 * - shipped event / failed event: an operation matching `shipped` / `failed` with outcome "ok"
 *   (the lab received the event about the order).
 * - right end: a declined order is charged once, recorded as failed (a failed event) and never
 *   shipped; any other order is shipped (at most once) after it was paid, and never recorded
 *   as failed.
 *
 * Causes, one per order (the first that applies); the failure is named by the most serious
 * cause shown, in this order:
 * - shipped-unpaid: shipped although its payment was declined, or before its payment went
 *   through (the shipping service did not wait for the payment's event).
 * - retried-declined: a declined charge was tried again (more than one completed charge): a
 *   402 is final, retrying it only repeats the decline (for ever, with a requeue).
 * - failure-not-recorded: declined, and no failed event came: the order just stopped, and
 *   nobody can tell the customer why. (A declined order never charged at all reached no end:
 *   the chain broke before its payment, as no-lost-messages shows for the others.)
 * - shipped-twice: more than one shipment or shipped event for the order.
 * - failed-but-paid: recorded as failed although its payment went through.
 * - wrong-amount: a charge's `amountField` (recorded with the call) is not the order's
 *   `totalField` (the amount the order asks for, as the lab sent it).
 * - wrong-end-event: a shipped or failed event whose fields are not the README's: each of
 *   `shippedFields` / `failedFields` must equal its template, `{orderId}` filled in from the
 *   order (e.g. "shipmentId": "sh_{orderId}", "reason": "card declined").
 */
import type { Operation } from '../runner/history.js';
import { type CheckDefinition, type Selector, countOf, firstFew, select, selector, seconds, str, tagsOf } from './types.js';
import { callValue } from '../runner/calls.js';
import { consumeValue, produceValue } from '../runner/messages.js';

export interface OutcomeParams {
  subject: string;
  sent: Selector;
  declinedTag: string;
  charges: Selector;
  shipments: Selector;
  shipped: Selector;
  failed: Selector;
  /** The charge's amount field and the order's total field, compared when both are given. */
  amountField?: string;
  totalField?: string;
  /** What the end events must say, field by field ("{orderId}" filled in). */
  shippedFields?: Readonly<Record<string, string>>;
  failedFields?: Readonly<Record<string, string>>;
}

export type OutcomeCause = 'shipped-unpaid' | 'retried-declined' | 'failure-not-recorded' | 'shipped-twice' | 'failed-but-paid' | 'wrong-amount' | 'wrong-end-event';

export const OUTCOME_CAUSES: Record<OutcomeCause, string> = {
  'shipped-unpaid':
    'Orders were shipped without a payment that went through: the shipping service must act only on the payment service\'s "paid" event, and the payment service must publish that event only after the charge succeeded.',
  'retried-declined':
    'A declined payment (402) was tried again. A decline is final: retrying only repeats it, for ever with a requeue. Record the order as failed and acknowledge the message; retry only temporary failures (5xx, no answer).',
  'failure-not-recorded':
    'A declined order just stopped: no "failed" event ever came. When a payment is declined, publish the order\'s failed event (with the reason), then acknowledge the message.',
  'shipped-twice': 'An order was shipped more than once. Ship each order once: act on one "paid" event per order, and acknowledge it after the shipment.',
  'failed-but-paid': 'An order was recorded as failed although its payment went through. Publish a failed event only when the payment was declined.',
  'wrong-amount': "Orders were charged another amount than their total: charge the order's total as it is, in the order's own unit (no conversion to cents).",
  'wrong-end-event': "The events that end an order must look exactly as the README shows: order.shipped with the shipmentId the shipping API answered, order.failed with \"reason\": \"card declined\", the field names spelled as shown.",
};

/** Most serious first. */
const SERIOUSNESS: OutcomeCause[] = ['shipped-unpaid', 'retried-declined', 'failure-not-recorded', 'shipped-twice', 'failed-but-paid', 'wrong-amount', 'wrong-end-event'];

/** A template with "{orderId}" filled in (pure). */
function filled(template: string, orderId: string): string {
  return template.split('{orderId}').join(orderId);
}

function arrivedAt(op: Operation): number {
  const at = callValue(op).arrivedAt;
  return typeof at === 'number' ? at : op.t;
}

export const orderOutcomes: CheckDefinition<OutcomeParams> = {
  name: 'order-outcomes',
  causes: OUTCOME_CAUSES,
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    sent: selector(raw, 'sent'),
    declinedTag: str(raw, 'declinedTag'),
    charges: selector(raw, 'charges'),
    shipments: selector(raw, 'shipments'),
    shipped: selector(raw, 'shipped'),
    failed: selector(raw, 'failed'),
    ...(raw.amountField === undefined ? {} : { amountField: str(raw, 'amountField') }),
    ...(raw.totalField === undefined ? {} : { totalField: str(raw, 'totalField') }),
    ...(raw.shippedFields === undefined ? {} : { shippedFields: raw.shippedFields as Record<string, string> }),
    ...(raw.failedFields === undefined ? {} : { failedFields: raw.failedFields as Record<string, string> }),
  }),
  run(history, p) {
    const orders = select(history, p.sent, 'ok').filter((op) => op.key !== undefined);
    const byKey = (ops: Operation[]) => {
      const map = new Map<string, Operation[]>();
      for (const op of ops) if (op.key !== undefined) map.set(op.key, [...(map.get(op.key) ?? []), op]);
      return map;
    };
    const charges = byKey(select(history, p.charges));
    const shipments = byKey(select(history, p.shipments, 'ok'));
    const shippedEvents = byKey(select(history, p.shipped, 'ok'));
    const failedEvents = byKey(select(history, p.failed, 'ok'));
    const s = p.subject;
    const title = `Every ${s} ends right: shipped once after payment, or recorded as failed`;
    const declinedCount = orders.filter((op) => tagsOf(op).includes(p.declinedTag)).length;
    const expected = `each ${s} whose payment went through is shipped once, after the payment; each of the ${declinedCount} whose payment is declined is charged once, recorded as failed and never shipped`;
    if (orders.length === 0) return { title, status: 'unknown', expected, observed: `the lab sent no ${s}s`, examples: [] };

    const found = new Map<OutcomeCause, string[]>();
    /** The plainest evidence (a declined order shipped) leads its cause's examples. */
    const leading = new Set<string>();
    const note = (cause: OutcomeCause, text: string, lead = false) => {
      if (lead) leading.add(text);
      found.set(cause, [...(found.get(cause) ?? []), text]);
    };
    let shippedOk = 0;
    let failedOk = 0;
    let noEnd = 0;
    for (const order of orders) {
      const key = order.key ?? '';
      const declined = tagsOf(order).includes(p.declinedTag);
      const calls = charges.get(key) ?? [];
      const completed = calls.filter((c) => c.outcome !== 'info');
      const paid = calls.find((c) => c.outcome === 'ok');
      const ships = shipments.get(key) ?? [];
      const shippedAs = shippedEvents.get(key) ?? [];
      const failedAs = failedEvents.get(key) ?? [];
      const wasShipped = ships.length > 0 || shippedAs.length > 0;
      const firstShipment = ships.length > 0 ? Math.min(...ships.map(arrivedAt)) : Math.min(...shippedAs.map((op) => op.t));

      if (declined) {
        if (wasShipped) {
          note('shipped-unpaid', `${key}: its payment was declined (402), yet it was shipped at ${seconds(firstShipment)}`, true);
        } else if (completed.length > 1) {
          note('retried-declined', `${key}: charged ${completed.length} times, declined (402) every time${failedAs.length > 0 ? ', before it was recorded as failed' : ', and never recorded as failed'}`);
        } else if (failedAs.length === 0 && calls.length === 0) {
          noEnd++; // never got as far as its payment: the chain broke before it
        } else if (failedAs.length === 0) {
          note('failure-not-recorded', `${key}: its payment was declined (402) at ${seconds(calls[0]?.t ?? 0)}, and no failed event ever came`);
        } else {
          failedOk++;
        }
        continue;
      }
      if (wasShipped && (!paid || firstShipment < paid.t)) {
        note('shipped-unpaid', paid ? `${key}: shipped at ${seconds(firstShipment)}, ${paid.t - firstShipment} ms before its payment went through` : `${key}: shipped at ${seconds(firstShipment)}, and never paid`);
      } else if (ships.length > 1 || shippedAs.length > 1) {
        note('shipped-twice', `${key}: shipped ${Math.max(ships.length, shippedAs.length)} times (${ships.length} shipment${ships.length === 1 ? '' : 's'}, ${shippedAs.length} shipped event${shippedAs.length === 1 ? '' : 's'})`);
      } else if (failedAs.length > 0) {
        note('failed-but-paid', paid ? `${key}: recorded as failed at ${seconds(failedAs[0]?.t ?? 0)} although its payment went through at ${seconds(paid.t)}` : `${key}: recorded as failed at ${seconds(failedAs[0]?.t ?? 0)} though nothing declined it`);
      } else if (wasShipped) {
        shippedOk++;
      } else {
        noEnd++;
      }
    }
    // What the charges and the end events say, against the order.
    for (const order of orders) {
      const key = order.key ?? '';
      const total = p.totalField ? produceValue(order)[p.totalField] : undefined;
      if (p.amountField && total !== undefined) {
        const amounts = (charges.get(key) ?? []).map((c) => callValue(c).fields?.[p.amountField ?? '']).filter((a) => a !== undefined);
        const wrongAmount = amounts.find((a) => a !== total);
        if (wrongAmount !== undefined) note('wrong-amount', `${key}: charged ${JSON.stringify(wrongAmount)}, but its total is ${JSON.stringify(total)}`);
      }
      const ends: Array<[Operation[], Readonly<Record<string, string>> | undefined, string]> = [
        [shippedEvents.get(key) ?? [], p.shippedFields, 'order.shipped'],
        [failedEvents.get(key) ?? [], p.failedFields, 'order.failed'],
      ];
      for (const [events, fields, type] of ends) {
        for (const event of events.slice(0, 1)) {
          const got = consumeValue(event).fields ?? {};
          const off = Object.entries(fields ?? {}).filter(([field, template]) => got[field] !== filled(template, key));
          if (off.length > 0) {
            note('wrong-end-event', `${key}: its ${type} event has ${off.map(([field, template]) => `${field} ${got[field] === undefined ? 'missing' : JSON.stringify(got[field])}, not ${JSON.stringify(filled(template, key))}`).join('; ')} (got ${JSON.stringify(got).slice(0, 160)})`);
          }
        }
      }
    }
    const pending = noEnd > 0 ? `; ${noEnd} reached no end (see the check that every ${s} gets through)` : '';
    if (found.size === 0 && shippedOk + failedOk === 0) {
      return { title, status: 'unknown', expected, observed: `no ${s} reached an end (shipped or failed), so there was nothing to judge`, examples: [] };
    }
    if (found.size === 0) {
      return { title, status: 'pass', expected, observed: `${shippedOk} shipped once after payment, ${failedOk} recorded as failed after one declined charge${pending}`, examples: [] };
    }
    const SAY: Record<OutcomeCause, (k: number) => string> = {
      'shipped-unpaid': (k) => `${k} shipped without a payment that went through`,
      'retried-declined': (k) => `${k} charged again after a decline`,
      'failure-not-recorded': (k) => `${k} declined and never recorded as failed`,
      'shipped-twice': (k) => `${k} shipped more than once`,
      'failed-but-paid': (k) => `${k} recorded as failed though not declined`,
      'wrong-amount': (k) => `${k} charged another amount than their total`,
      'wrong-end-event': (k) => `${k} ended with an event that is not as the README shows`,
    };
    const causes = SERIOUSNESS.filter((c) => found.has(c));
    const cause = causes[0] ?? 'shipped-unpaid';
    const wrong = causes.reduce((n, c) => n + (found.get(c)?.length ?? 0), 0);
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(wrong, orders.length, s)} ended wrong: ${causes.map((c) => SAY[c](found.get(c)?.length ?? 0)).join(', ')}`,
      examples: firstFew(causes.flatMap((c) => [...(found.get(c) ?? [])].sort((a, b) => Number(leading.has(b)) - Number(leading.has(a))))),
      cause,
    };
  },
};
