/**
 * charged-once
 *
 * Messages are delivered at least once: after a crash, the message a service was working on
 * comes again, and its charge is made again. A payments API takes the money when a request
 * arrives, so a charge whose caller died before the answer may well have gone through. What
 * keeps the customer from paying twice is the idempotency key: the API charges once per key,
 * and answers a repeated key like the first call (a replay).
 *
 * Definitions:
 * - charge: an operation matching `charges` whose key is an order the lab sent, answered OK or
 *   cut short by a kill (outcome "info": it may have gone through). A declined charge
 *   ("fail") took nothing.
 * - its key: the idempotency key the call carried (`value.fields[keyField]`).
 * - charged twice: an order with two or more charges the API cannot tell are one: different
 *   keys, or no key on some of them.
 * - shared key: one key on charges of different orders: the API would answer the second
 *   order's charge as a replay of the first, and that order would never be paid.
 *
 * Causes, from the evidence (the failure is named by the first that applies, in this order):
 * - new-key-per-attempt: an order's charges carried different keys (a new UUID per attempt,
 *   a timestamp): the key must come from the order, so that a repeat carries the same one.
 * - no-idempotency-key: an order was charged more than once, and some of its charges carried
 *   no key at all.
 * - key-shared: different orders' charges carried the same key.
 */
import type { Operation } from '../runner/history.js';
import { carriedField } from './correlation.js';
import { type CheckDefinition, type Selector, countOf, firstFew, select, selector, seconds, str } from './types.js';

export interface ChargesParams {
  subject: string;
  sent: Selector;
  charges: Selector;
  keyField: string;
}

export type ChargeCause = 'new-key-per-attempt' | 'no-idempotency-key' | 'key-shared';

export const CHARGE_CAUSES: Record<ChargeCause, string> = {
  'new-key-per-attempt':
    'After a crash the same order was charged again with a new idempotency key, so the payments API charged it twice. Derive the key from the order (its id), never from the attempt (a new UUID or a timestamp): a repeat must carry the same key.',
  'no-idempotency-key':
    'An order was charged more than once without an idempotency key, so each charge took the money again. Messages come again after a crash: send a key derived from the order (its id) with every charge.',
  'key-shared': 'Different orders were charged with the same idempotency key: the payments API takes the second for a repeat of the first and never charges it. Use a key of each order\'s own (its id).',
};

function keyOf(op: Operation, field: string): string | undefined {
  const key = carriedField(op, field);
  return key === undefined || key === null || key === '' ? undefined : String(key);
}

export const chargedOnce: CheckDefinition<ChargesParams> = {
  name: 'charged-once',
  causes: CHARGE_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), sent: selector(raw, 'sent'), charges: selector(raw, 'charges'), keyField: str(raw, 'keyField') }),
  run(history, p) {
    const sent = new Set(select(history, p.sent, 'ok').map((op) => op.key));
    const charges = new Map<string, Operation[]>();
    for (const op of select(history, p.charges)) {
      if (op.outcome === 'fail' || op.key === undefined || !sent.has(op.key)) continue;
      charges.set(op.key, [...(charges.get(op.key) ?? []), op]);
    }
    const title = `Each ${p.subject} is paid once (idempotency key)`;
    const expected = `a${/^[aeiou]/.test(p.subject) ? 'n' : ''} ${p.subject} charged again (after a crash) carries the same ${p.keyField} every time, one of its own, so the payments API takes the money once`;
    if (charges.size === 0) return { title, status: 'unknown', expected, observed: `no ${p.subject} was charged, so there was nothing to check`, examples: [] };

    const found = new Map<ChargeCause, string[]>();
    const note = (cause: ChargeCause, text: string) => found.set(cause, [...(found.get(cause) ?? []), text]);
    const describe = (op: Operation) => `${op.outcome === 'info' ? 'cut short by the kill' : 'answered OK'} at ${seconds(op.t)}`;
    const owners = new Map<string, Set<string>>();
    let repeated = 0;
    for (const [order, ops] of charges) {
      for (const op of ops) {
        const key = keyOf(op, p.keyField);
        if (key !== undefined) owners.set(key, (owners.get(key) ?? new Set()).add(order));
      }
      if (ops.length < 2) continue;
      repeated++;
      const keys = ops.map((op) => keyOf(op, p.keyField));
      const distinct = new Set(keys.filter((k): k is string => k !== undefined));
      const list = ops.map((op, i) => `${keys[i] === undefined ? `no ${p.keyField}` : JSON.stringify(keys[i])} (${describe(op)})`).join(', then ');
      if (distinct.size > 1) note('new-key-per-attempt', `${order}: charged ${ops.length} times, with ${list}`);
      else if (keys.some((k) => k === undefined)) note('no-idempotency-key', `${order}: charged ${ops.length} times, with ${list}`);
    }
    for (const [key, orders] of owners) {
      if (orders.size > 1) note('key-shared', `${p.keyField} ${JSON.stringify(key)} was used for ${orders.size} ${p.subject}s: ${firstFew([...orders], 3).join(', ')}${orders.size > 3 ? ', ...' : ''}`);
    }
    if (found.size === 0) {
      const again = repeated === 0 ? 'none was charged twice' : `${repeated} ${repeated === 1 ? 'was' : 'were'} charged again (after the kill), with the same key each time`;
      return { title, status: 'pass', expected, observed: `${charges.size} ${p.subject}s charged; ${again}`, examples: [] };
    }
    const ORDER: ChargeCause[] = ['new-key-per-attempt', 'no-idempotency-key', 'key-shared'];
    const causes = ORDER.filter((c) => found.has(c));
    const cause = causes[0] ?? 'new-key-per-attempt';
    const twice = (found.get('new-key-per-attempt')?.length ?? 0) + (found.get('no-idempotency-key')?.length ?? 0);
    const shared = found.get('key-shared')?.length ?? 0;
    const parts = [
      twice > 0 ? `${countOf(twice, charges.size, p.subject)} may have been paid twice: charged again with ${cause === 'no-idempotency-key' ? 'no' : 'another'} ${p.keyField}` : '',
      shared > 0 ? `${shared} ${p.keyField}${shared === 1 ? ' was' : 's were'} shared by several ${p.subject}s` : '',
    ].filter(Boolean);
    return { title, status: 'fail', expected, observed: parts.join('; '), examples: firstFew(causes.flatMap((c) => found.get(c) ?? [])), cause };
  },
};
