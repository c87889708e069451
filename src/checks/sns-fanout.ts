/**
 * SNS fan-out to SQS: filtered-as-specified, delivery-format and message-attributes, and the
 * subset of SNS filter policies they are judged by.
 *
 * Definitions (SNS, attribute scope, as the exercise's README states them):
 * - message attribute: a name with a DataType ("String", "Number") and a string value, set by
 *   the publisher; the filter policies look only at these, never at the body.
 * - filter policy: an object of attribute names to lists of conditions; a message matches
 *   when, for EVERY name in the policy, the message has that attribute and it meets at least
 *   ONE condition of its list. Conditions: a string (exact match of a String attribute), a
 *   number (exact numeric match of a Number attribute), {"numeric": [op, n, op, n]} (a Number
 *   attribute in a range), {"anything-but": value or list} (present and none of those),
 *   {"prefix": s}, {"exists": bool}. No policy: the subscription gets every message.
 * - format: "raw" when the queue's message body is the published message itself
 *   (RawMessageDelivery true; attributes become SQS message attributes), "envelope" when it
 *   is SNS's JSON notification {"Type": "Notification", "Message": ..., "MessageAttributes"}.
 * - the spec: which queues subscribe, each with its filter policy and format, and which
 *   attributes every order carries (name and DataType, the value being the order's field of
 *   that name). The lab publishes nothing itself: it feeds orders to the learner's publisher,
 *   then reads every queue out and records each copy as a `consume` (stream: the queue's role,
 *   key: the order id, value: its format and the attributes it carried).
 * - not an order: a message in a queue whose body (raw) or "Message" (envelope) is not an
 *   order's JSON object, e.g. {"default": ...} or the order as a JSON string literal. The lab
 *   records it as a failed `consume` without a key, with the start of its body.
 * - published: an order found in any queue. When a queue is subscribed with no filter
 *   policy it gets every published order, so an order in no queue was never published.
 */
import { type SnsSubscriptions, lastObservation } from '../runner/observations.js';
import type { History, Operation } from '../runner/history.js';
import { produceValue } from '../runner/messages.js';
import { type CheckDefinition, firstFew } from './types.js';

export type AttributeType = 'String' | 'Number';

/** A message attribute as a copy carried it. */
export interface Attribute {
  type: string;
  value: string;
}

export type FilterCondition = string | number | { numeric: Array<string | number> } | { 'anything-but': unknown } | { prefix: string } | { exists: boolean };
export type FilterPolicy = Record<string, FilterCondition[]>;

export interface SubscriptionSpec {
  /** The queue's role: "billing", also the stream its copies are recorded under. */
  queue: string;
  filterPolicy?: FilterPolicy;
  raw: boolean;
}

/** Whether a numeric condition's [op, n, op, n] holds for x. */
function inRange(spec: Array<string | number>, x: number): boolean {
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const op = spec[i];
    const n = Number(spec[i + 1]);
    const ok = op === '=' ? x === n : op === '>' ? x > n : op === '>=' ? x >= n : op === '<' ? x < n : op === '<=' ? x <= n : false;
    if (!ok) return false;
  }
  return true;
}

function conditionHolds(condition: FilterCondition, attribute: Attribute | undefined): boolean {
  if (typeof condition === 'object' && condition !== null && 'exists' in condition) return condition.exists === (attribute !== undefined);
  if (attribute === undefined) return false;
  const isNumber = attribute.type.startsWith('Number');
  if (typeof condition === 'string') return !isNumber && attribute.value === condition;
  if (typeof condition === 'number') return isNumber && Number(attribute.value) === condition;
  if ('numeric' in condition) return isNumber && inRange(condition.numeric, Number(attribute.value));
  if ('prefix' in condition) return !isNumber && attribute.value.startsWith(condition.prefix);
  const but = condition['anything-but'];
  const values = Array.isArray(but) ? but : [but];
  return !values.some((v) => (typeof v === 'number' ? isNumber && Number(attribute.value) === v : attribute.value === String(v)));
}

/** Whether a message with these attributes passes the policy (no policy: every message). */
export function policyMatches(policy: FilterPolicy | undefined, attributes: Record<string, Attribute>): boolean {
  if (!policy) return true;
  return Object.entries(policy).every(([name, conditions]) => conditions.some((c) => conditionHolds(c, attributes[name])));
}

/** The attributes the spec says an order carries: each named field of the order, typed. */
export function specAttributes(order: Record<string, unknown>, types: Record<string, AttributeType>): Record<string, Attribute> {
  const out: Record<string, Attribute> = {};
  for (const [name, type] of Object.entries(types)) if (order[name] !== undefined) out[name] = { type, value: String(order[name]) };
  return out;
}

/** A subscription the lab found on the topic after the run (observation "sns-subscriptions"). */
type SubscriptionSeen = SnsSubscriptions['subscriptions'][number];

/** The value of a `consume` the lab records for each copy it read out of a queue. */
interface CopyValue {
  format?: 'raw' | 'envelope';
  attributes?: Record<string, Attribute>;
}

function copyValue(op: Operation): CopyValue {
  return (op.value ?? {}) as CopyValue;
}

interface Order {
  id: string;
  phase: number;
  fields: Record<string, unknown>;
}

/** The orders the lab fed the program (`produce`, stream "orders"), in order. */
function ordersOf(history: History): Order[] {
  return history
    .filter((op) => op.kind === 'produce' && op.outcome === 'ok' && op.stream === 'orders' && op.key)
    .map((op) => {
      const fields = produceValue(op) as Record<string, unknown>;
      return { id: op.key ?? '', phase: Number(fields.phase ?? 1), fields };
    });
}

function copiesOf(history: History): Operation[] {
  return history.filter((op) => op.kind === 'consume' && op.outcome === 'ok' && op.key !== undefined);
}

/** Messages the lab found in a queue that are not an order (see the definitions). */
function notOrdersOf(history: History): Operation[] {
  return history.filter((op) => op.kind === 'consume' && op.outcome === 'fail' && op.key === undefined);
}

/** The start of a message that is not an order, as the lab recorded it. */
function bodyOf(op: Operation | undefined): string {
  const body = (op?.value as { body?: unknown } | undefined)?.body;
  return typeof body === 'string' ? body.slice(0, 100) : '(its body was not recorded)';
}

/** What a queue holds that is not an order, in one phrase, or undefined when it holds none. */
function notOrdersIn(notOrders: Operation[], queue: string): string | undefined {
  const mine = notOrders.filter((op) => op.stream === queue);
  if (mine.length === 0) return undefined;
  return `queue "${queue}" holds ${mine.length} message${mine.length === 1 ? '' : 's'} that ${mine.length === 1 ? 'is' : 'are'} not an order, e.g. ${bodyOf(mine[0])}`;
}

const NOT_AN_ORDER =
  'A queue holds messages that are not orders: publish the order\'s JSON exactly as it came from the inbox (the Message is the inbox message\'s body, unchanged), so a raw queue gets the order itself and an envelope queue gets it as the envelope\'s "Message". Not {"default": ...} (that is for MessageStructure "json"), not the body JSON-encoded a second time.';

function describe(order: Order, types: Record<string, AttributeType>): string {
  return `${order.id} (${Object.keys(types).map((name) => `${name}=${String(order.fields[name])}`).join(', ')})`;
}

function shownAttributes(attributes: Record<string, Attribute> | undefined): string {
  const entries = Object.entries(attributes ?? {});
  return entries.length === 0 ? 'no message attributes' : entries.map(([n, a]) => `${n}=${a.value} (${a.type})`).join(', ');
}

/** The first difference between the attributes an order carried and the spec's, or undefined. */
function attributeProblem(carried: Record<string, Attribute> | undefined, wanted: Record<string, Attribute>): { cause: AttributeCause; text: string } | undefined {
  const have = carried ?? {};
  const missing = Object.keys(wanted).filter((name) => have[name] === undefined);
  if (missing.length > 0) return { cause: 'missing', text: `carried ${shownAttributes(carried)}; missing ${missing.join(', ')}` };
  for (const [name, want] of Object.entries(wanted)) {
    const got = have[name] as Attribute;
    if (!got.type.startsWith(want.type)) return { cause: 'wrong-type', text: `attribute ${name} has DataType ${got.type}, not ${want.type}` };
    const same = want.type === 'Number' ? Number(got.value) === Number(want.value) : got.value === want.value;
    if (!same) return { cause: 'wrong-value', text: `attribute ${name} is "${got.value}", the order says "${want.value}"` };
  }
  return undefined;
}

export interface FanOutParams {
  subscriptions: SubscriptionSpec[];
  attributes: Record<string, AttributeType>;
}

function parseFanOut(raw: Record<string, unknown>): FanOutParams {
  const subscriptions = raw.subscriptions;
  const attributes = raw.attributes;
  if (!Array.isArray(subscriptions) || !subscriptions.every((s) => typeof s?.queue === 'string' && typeof s.raw === 'boolean')) {
    throw new Error('"subscriptions" must be a list of {"queue", "filterPolicy"?, "raw": true|false}');
  }
  if (typeof attributes !== 'object' || attributes === null || !Object.values(attributes).every((t) => t === 'String' || t === 'Number')) {
    throw new Error('"attributes" must map each attribute name to "String" or "Number"');
  }
  return { subscriptions: subscriptions as SubscriptionSpec[], attributes: attributes as Record<string, AttributeType> };
}

export const FILTER_CAUSES = {
  'not-an-order': NOT_AN_ORDER,
  'never-published': 'Orders are missing from a queue that has no filter policy, so they were never published: they cannot be a filter problem. Delete an inbox message only after Publish returned for it, so a program killed in between gets the order back, and never exit or drop an order before it is published.',
  'not-subscribed': 'A queue that should get orders has no subscription on the topic. Subscribe every queue of the table (protocol "sqs", the queue\'s ARN as endpoint).',
  'lost-on-restart': 'A queue lost the orders it held before your program restarted: starting up must not purge, delete or recreate the queues. Make provisioning idempotent (CreateQueue, CreateTopic and Subscribe with the same settings are safe to repeat) and leave messages to their consumers.',
  'attributes-wrong': 'Orders were filtered out because of the message attributes they were published with, not because of the policy: a filter policy looks only at message attributes, and a numeric condition matches only an attribute of DataType Number.',
  'other-attribute': 'A filter policy names an attribute your orders do not carry, so it never matches: filter on the attribute the table names (the policy\'s keys are message attribute names).',
  'numeric-as-string': 'A filter policy compares a Number attribute with exact values instead of a range: ["100"] matches the text "100" only. Write a numeric condition: {"numeric": [">=", 100]}.',
  'too-broad': 'A queue got orders its filter policy should have kept out: a condition is missing from the policy (every name in a policy must match, e.g. an "anything-but" left out).',
  'too-narrow': 'A queue missed orders its filter policy should have let through: check each condition against the table (a boundary, >= versus >; a value spelled differently).',
} as const;
type FilterCause = keyof typeof FILTER_CAUSES;

/** Why a queue's policy is off, read from the policy SNS holds (for the diagnosis only). */
function policyProblem(seen: SubscriptionSeen | undefined, spec: SubscriptionSpec, types: Record<string, AttributeType>): FilterCause | undefined {
  if (!seen?.filterPolicy) return undefined;
  let policy: Record<string, unknown>;
  try {
    policy = JSON.parse(seen.filterPolicy) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (Object.keys(policy).some((name) => !(name in types))) return 'other-attribute';
  const wantsRange = (conditions: FilterCondition[] | undefined) => (conditions ?? []).some((c) => typeof c === 'object' && c !== null && 'numeric' in c);
  for (const [name, conditions] of Object.entries(spec.filterPolicy ?? {})) {
    const held = policy[name];
    if (wantsRange(conditions) && Array.isArray(held) && !wantsRange(held as FilterCondition[])) return 'numeric-as-string';
  }
  return undefined;
}

/** Causes in the order they explain a failure: the first one found names it. */
const PRECEDENCE: FilterCause[] = ['not-subscribed', 'not-an-order', 'lost-on-restart', 'never-published', 'attributes-wrong', 'other-attribute', 'numeric-as-string', 'too-broad', 'too-narrow'];

export const filteredAsSpecified: CheckDefinition<FanOutParams> = {
  name: 'filtered-as-specified',
  causes: FILTER_CAUSES,
  parseParams: parseFanOut,
  run(history, p) {
    const title = 'Each queue gets exactly the orders its filter policy lets through';
    const orders = ordersOf(history);
    const expected = `each of the ${orders.length} orders reaches exactly the queues whose filter policy (in the README's table) it matches`;
    if (orders.length === 0) return { title, status: 'unknown', expected, observed: 'the lab fed your program no orders', examples: [] };
    const seen = lastObservation(history, 'sns-subscriptions');
    const copies = copiesOf(history);
    // What each order carried, from any copy: the publisher's mistakes explain filtering.
    const carried = new Map<string, Record<string, Attribute> | undefined>();
    for (const op of copies) if (!carried.has(op.key ?? '')) carried.set(op.key ?? '', copyValue(op).attributes);
    const got = new Map<string, Set<string>>();
    for (const op of copies) got.set(op.stream ?? '', new Set([...(got.get(op.stream ?? '') ?? []), op.key ?? '']));
    const notOrders = notOrdersOf(history);
    // The orders that were published, when a queue without a filter policy shows them all.
    const everything = p.subscriptions.find((s) => !s.filterPolicy && seen?.subscriptions.some((x) => x.queue === s.queue && !x.filterPolicy));
    const published = everything ? new Set(copies.map((op) => op.key ?? '')) : undefined;

    const findings: Array<{ cause: FilterCause; text: string }> = [];
    for (const spec of p.subscriptions) {
      const want = orders.filter((o) => policyMatches(spec.filterPolicy, specAttributes(o.fields, p.attributes)));
      const have = got.get(spec.queue) ?? new Set<string>();
      const sub = seen?.subscriptions.find((s) => s.queue === spec.queue);
      const policy = sub ? (sub.filterPolicy ? `filter ${sub.filterPolicy}` : 'no filter policy') : 'not subscribed';
      if (seen && !sub && want.length > 0) {
        findings.push({ cause: 'not-subscribed', text: `queue "${spec.queue}" has no subscription on the topic; it should have got ${want.length} orders, e.g. ${describe(want[0] as Order, p.attributes)}` });
        continue;
      }
      const missed = want.filter((o) => !have.has(o.id));
      const extra = orders.filter((o) => have.has(o.id) && !want.includes(o));
      if (missed.length > 0) {
        const before = want.filter((o) => o.phase < 2);
        const lostBefore = before.length > 0 && before.every((o) => missed.includes(o)) && missed.every((o) => o.phase < 2);
        const badlyCarried = missed.filter((o) => carried.has(o.id) && attributeProblem(carried.get(o.id), specAttributes(o.fields, p.attributes)));
        const unpublished = published ? missed.filter((o) => !published.has(o.id)) : [];
        const strange = notOrdersIn(notOrders, spec.queue);
        if (strange && !lostBefore) {
          findings.push({ cause: 'not-an-order', text: `${strange}; it missed ${missed.length} of its ${want.length} orders` });
          continue;
        }
        const cause: FilterCause = lostBefore
          ? 'lost-on-restart'
          : unpublished.length > 0
            ? 'never-published'
            : badlyCarried.length > 0
              ? 'attributes-wrong'
              : (policyProblem(sub, spec, p.attributes) ?? 'too-narrow');
        const shown = firstFew(cause === 'attributes-wrong' ? badlyCarried : cause === 'never-published' ? unpublished : missed, 3);
        const why =
          cause === 'lost-on-restart'
            ? ` (all ${before.length} it held before your program restarted are gone; the ones after are there)`
            : cause === 'attributes-wrong'
              ? ` (the first published with ${shownAttributes(carried.get((shown[0] as Order).id))})`
              : cause === 'never-published'
                ? ` (${unpublished.length} of them are in no queue at all, not even "${everything?.queue ?? ''}", which has no filter policy: they were never published)`
                : '';
        findings.push({ cause, text: `queue "${spec.queue}" (${policy}) missed ${missed.length} of its ${want.length} orders, e.g. ${shown.map((o) => describe(o, p.attributes)).join('; ')}${why}` });
      }
      if (extra.length > 0) {
        const cause = policyProblem(sub, spec, p.attributes) ?? 'too-broad';
        findings.push({ cause, text: `queue "${spec.queue}" (${policy}) got ${extra.length} orders that are not for it, e.g. ${firstFew(extra, 3).map((o) => describe(o, p.attributes)).join('; ')}` });
      }
    }
    if (findings.length === 0) {
      return { title, status: 'pass', expected, observed: `all ${orders.length} orders reached exactly their queues (${p.subscriptions.map((s) => `${s.queue}: ${got.get(s.queue)?.size ?? 0}`).join(', ')})`, examples: [] };
    }
    const cause = PRECEDENCE.find((c) => findings.some((f) => f.cause === c)) ?? 'too-narrow';
    // The observed sentence names the queues of the diagnosis: the hint is about them.
    const concerned = [...new Set(findings.filter((f) => f.cause === cause).map((f) => /^queue "([^"]+)"/.exec(f.text)?.[1] ?? ''))].filter(Boolean);
    return {
      title,
      status: 'fail',
      expected,
      observed: `${findings.length === 1 ? '1 queue did not get exactly its orders' : `${findings.length} queues did not get exactly their orders`}; the hint is about ${concerned.map((q) => `"${q}"`).join(', ')}`,
      examples: firstFew([...findings.filter((f) => f.cause === cause), ...findings.filter((f) => f.cause !== cause)].map((f) => f.text)),
      cause,
    };
  },
};

export const FORMAT_CAUSES = {
  'not-an-order': NOT_AN_ORDER,
  'envelope-where-raw': 'A queue that asks for raw messages got SNS envelopes (JSON with "Type": "Notification" and the order inside "Message"): set the subscription attribute RawMessageDelivery to "true".',
  'raw-where-envelope': 'A queue that asks for SNS envelopes got the bare order: leave RawMessageDelivery off ("false", the default) on that subscription.',
} as const;
type FormatCause = keyof typeof FORMAT_CAUSES;

export const deliveryFormat: CheckDefinition<FanOutParams> = {
  name: 'delivery-format',
  causes: FORMAT_CAUSES,
  parseParams: parseFanOut,
  run(history, p) {
    const title = 'Each queue gets its messages raw or in the SNS envelope, as asked';
    const expected = p.subscriptions.map((s) => `${s.queue}: ${s.raw ? 'raw' : 'SNS envelope'}`).join(', ');
    const copies = copiesOf(history);
    const notOrders = notOrdersOf(history);
    const findings: Array<{ cause: FormatCause; text: string; short: string }> = [];
    for (const spec of p.subscriptions) {
      const strange = notOrdersIn(notOrders, spec.queue);
      if (strange) findings.push({ cause: 'not-an-order', short: `"${spec.queue}" holds messages that are not orders`, text: strange });
    }
    if (copies.length === 0 && findings.length === 0) return { title, status: 'unknown', expected, observed: 'no queue got any order, so their format cannot be judged', examples: [] };
    for (const spec of p.subscriptions) {
      const mine = copies.filter((op) => op.stream === spec.queue);
      const wrong = mine.filter((op) => copyValue(op).format !== (spec.raw ? 'raw' : 'envelope'));
      if (wrong.length === 0) continue;
      const cause: FormatCause = spec.raw ? 'envelope-where-raw' : 'raw-where-envelope';
      findings.push({
        cause,
        short: `"${spec.queue}" got ${spec.raw ? 'SNS envelopes where the bare order was asked' : 'the bare order where the SNS envelope was asked'}`,
        text: spec.raw
          ? `queue "${spec.queue}" should get the bare order, but ${wrong.length} of its ${mine.length} messages were SNS envelopes, e.g. ${wrong[0]?.key}`
          : `queue "${spec.queue}" should get SNS envelopes, but ${wrong.length} of its ${mine.length} messages were the bare order, e.g. ${wrong[0]?.key}`,
      });
    }
    if (findings.length === 0) return { title, status: 'pass', expected, observed: `all ${copies.length} messages in the format their queue asks for`, examples: [] };
    const first = findings[0] as { cause: FormatCause };
    return { title, status: 'fail', expected, observed: findings.map((f) => f.short).join('; '), examples: findings.map((f) => f.text), cause: first.cause };
  },
};

export const ATTRIBUTE_CAUSES = {
  missing: 'Orders were published without the message attributes the filter policies look at: pass MessageAttributes on Publish, one per attribute of the table, each with its DataType and StringValue.',
  'wrong-type': 'An attribute was published with another DataType than the table says: a numeric filter condition matches only DataType "Number" (its StringValue holds the number as text, "250").',
  'wrong-value': 'An attribute\'s value differs from the order\'s field of the same name: copy each value from the order as it is.',
} as const;
type AttributeCause = keyof typeof ATTRIBUTE_CAUSES;

export const messageAttributes: CheckDefinition<Pick<FanOutParams, 'attributes'>> = {
  name: 'message-attributes',
  causes: ATTRIBUTE_CAUSES,
  parseParams: (raw) => ({ attributes: parseFanOut({ subscriptions: [], ...raw }).attributes }),
  run(history, p) {
    const title = 'Publishes each order with the message attributes the filters need';
    const expected = `every order carries ${Object.entries(p.attributes).map(([n, t]) => `${n} (${t})`).join(', ')}, each the order's field of that name`;
    const orders = ordersOf(history);
    const copies = copiesOf(history);
    if (copies.length === 0) return { title, status: 'unknown', expected, observed: 'no queue got any order, so what was published cannot be seen', examples: [] };
    const carried = new Map<string, Record<string, Attribute> | undefined>();
    for (const op of copies) if (!carried.has(op.key ?? '')) carried.set(op.key ?? '', copyValue(op).attributes);
    const findings: Array<{ cause: AttributeCause; text: string }> = [];
    for (const order of orders) {
      if (!carried.has(order.id)) continue; // in no queue: the filter checks say why
      const problem = attributeProblem(carried.get(order.id), specAttributes(order.fields, p.attributes));
      if (problem) findings.push({ cause: problem.cause, text: `${order.id} ${problem.text}` });
    }
    const judged = orders.filter((o) => carried.has(o.id)).length;
    if (findings.length === 0) return { title, status: 'pass', expected, observed: `all ${judged} orders seen in a queue carried their attributes`, examples: [] };
    const first = findings[0] as { cause: AttributeCause; text: string };
    return { title, status: 'fail', expected, observed: `${findings.length} of ${judged} orders carried other attributes`, examples: firstFew(findings.map((f) => f.text)), cause: first.cause };
  },
};
