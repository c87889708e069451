/**
 * correlation-propagated
 *
 * A flow that crosses several services (order -> payment -> shipping) can only be followed
 * in logs and traces if every hop passes on the correlation id it received. The lab gives
 * each message it sends a correlation id, and compares it with what every later hop of the
 * flow carried.
 *
 * Definitions:
 * - flow: an operation matching `sent` with outcome "ok" (a message the lab sent); its
 *   correlation id is its value's `field`.
 * - carrier: an operation matching one of `carriers` whose key is a flow's key, whatever its
 *   outcome: a call the learner's services made to a downstream service about it, or an
 *   event about it that the lab received. What it carried is the field as the lab read it
 *   (the call's or event's body: `value.fields[field]`).
 * - hop: where a carrier stands in the chain, as the scenario names it (`at`: "the charge
 *   (payment-service)"), in the order the carriers are listed.
 * - propagated: every carrier of every flow carried exactly its flow's correlation id.
 * - where it broke: for each flow, the first carrier (in chain order, then in time) that
 *   carried anything else.
 *
 * Causes, from where each flow broke (the failure is named by the one most flows show; a tie
 * names new-id-per-hop):
 * - new-id-per-hop: it carried another id: a service made a new one instead of passing on the
 *   one it received (or passed on another field, e.g. the order id).
 * - missing: it carried none at all (absent, null or empty): a service dropped it.
 */
import type { Operation } from '../runner/history.js';
import { type CheckDefinition, type Selector, countOf, firstFew, matches, select, selector, str } from './types.js';
import { consumeValue, fieldsOf, isRecord } from '../runner/messages.js';

export interface Carrier extends Selector {
  /** Where this carrier stands in the chain, for messages: "the charge (payment-service)". */
  at: string;
}

export interface CorrelationParams {
  /** What one flow is to the learner: "order". */
  subject: string;
  sent: Selector;
  /** The field that holds the correlation id, in what the lab sent and in every carrier. */
  field: string;
  carriers: readonly Carrier[];
}

export type CorrelationCause = 'new-id-per-hop' | 'missing';

export const CORRELATION_CAUSES: Record<CorrelationCause, string> = {
  'new-id-per-hop':
    'A service sent on another correlation id than the one it received: it made a new one (a fresh UUID per hop) or used another field. Copy the correlation id of the message you are handling into every call and event it leads to; only the first service of a flow ever gets one, from the message that starts it.',
  missing: 'A call or event carried no correlation id at all: a service did not pass it on. Put the correlation id of the message you are handling into every event you publish and every call you make for it.',
};

/** The field as a carrier carried it: the recorded body fields (`value.fields`), else the value itself. */
export function carriedField(op: Operation, field: string): unknown {
  if (!isRecord(op.value)) return undefined;
  const value = consumeValue(op);
  return (value.fields ?? value)[field];
}

interface Break {
  key: string;
  at: string;
  cause: CorrelationCause;
  text: string;
}

function parseCarriers(raw: unknown): Carrier[] {
  const valid = (c: unknown): c is Carrier =>
    typeof c === 'object' && c !== null && typeof (c as Carrier).kind === 'string' && typeof (c as Carrier).at === 'string';
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every(valid)) {
    throw new Error('"carriers" must be a non-empty list like [{"kind": "call", "stream": "payments-api", "at": "the charge (payment-service)"}]');
  }
  return raw;
}

export const correlationPropagated: CheckDefinition<CorrelationParams> = {
  name: 'correlation-propagated',
  causes: CORRELATION_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), sent: selector(raw, 'sent'), field: str(raw, 'field'), carriers: parseCarriers(raw.carriers) }),
  run(history, p) {
    const flows = new Map<string, string>();
    for (const op of select(history, p.sent, 'ok')) {
      const id = fieldsOf(op)[p.field];
      if (op.key !== undefined && typeof id === 'string' && !flows.has(op.key)) flows.set(op.key, id);
    }
    const title = 'The correlation id flows end to end';
    const expected = `every call and event about a${/^[aeiou]/.test(p.subject) ? 'n' : ''} ${p.subject} carries the ${p.field} the lab gave that ${p.subject}, at every hop`;
    // Carriers per flow, in chain order (the carriers' order), then in time.
    const carried = new Map<string, Array<{ op: Operation; hop: number }>>();
    let total = 0;
    p.carriers.forEach((carrier, hop) => {
      for (const op of history) {
        if (op.key === undefined || !flows.has(op.key) || !matches(op, carrier)) continue;
        carried.set(op.key, [...(carried.get(op.key) ?? []), { op, hop }]);
        total++;
      }
    });
    if (total === 0) return { title, status: 'unknown', expected, observed: `no call or event about any ${p.subject} reached the lab, so there was nothing to compare`, examples: [] };

    const sentOrder = [...flows.keys()];
    const otherFlow = new Map([...flows].map(([key, id]) => [id, key]));
    const breaks: Break[] = [];
    const wrong = { other: 0, none: 0 };
    for (const [key, ops] of carried) {
      const want = flows.get(key) ?? '';
      let first: Break | undefined;
      for (const { op, hop } of ops) {
        const got = carriedField(op, p.field);
        if (got === want) continue;
        const none = got === undefined || got === null || got === '';
        wrong[none ? 'none' : 'other']++;
        if (first) continue;
        const at = p.carriers[hop]?.at ?? op.stream ?? op.kind;
        if (none) {
          first = { key, at, cause: 'missing', text: `${key}: ${at} carried no ${p.field} (expected ${JSON.stringify(want)})` };
          continue;
        }
        const shown = JSON.stringify(got);
        const whose = got === key ? ` (that is the ${p.subject} id, not its ${p.field})` : typeof got === 'string' && otherFlow.has(got) ? ` (that is ${otherFlow.get(got)}'s)` : '';
        first = { key, at, cause: 'new-id-per-hop', text: `${key}: ${at} carried ${shown}${whose} instead of ${JSON.stringify(want)}` };
      }
      if (first) breaks.push(first);
    }
    if (breaks.length === 0) {
      return { title, status: 'pass', expected, observed: `all ${total} calls and events about ${countOf(carried.size, flows.size, p.subject)} carried their ${p.subject}'s ${p.field}`, examples: [] };
    }
    const counts = new Map<CorrelationCause, number>();
    for (const b of breaks) counts.set(b.cause, (counts.get(b.cause) ?? 0) + 1);
    const cause: CorrelationCause = (counts.get('missing') ?? 0) > (counts.get('new-id-per-hop') ?? 0) ? 'missing' : 'new-id-per-hop';
    // Where the flows broke first, hop by hop, in chain order.
    const byHop = new Map<string, number>();
    for (const c of p.carriers) for (const b of breaks) if (b.at === c.at) byHop.set(c.at, (byHop.get(c.at) ?? 0) + 1);
    const where = [...byHop].map(([at, n]) => `at ${at} for ${n}`).join(', ');
    const how = [wrong.other > 0 ? `${wrong.other} carried another id` : '', wrong.none > 0 ? `${wrong.none} carried none` : ''].filter(Boolean).join(' and ');
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(breaks.length, carried.size, p.subject)} lost ${breaks.length === 1 ? 'its' : 'their'} ${p.field} along the way: it broke first ${where}; of the ${total} calls and events the lab saw, ${how}`,
      // The flows that broke where most did come first: that is the hop to look at.
      examples: firstFew([...breaks].sort((a, b) => (byHop.get(b.at) ?? 0) - (byHop.get(a.at) ?? 0) || sentOrder.indexOf(a.key) - sentOrder.indexOf(b.key)).map((b) => b.text), 4),
      cause,
    };
  },
};
