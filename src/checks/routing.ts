/**
 * routes-as-specified, and the AMQP routing model it is judged by.
 *
 * Definitions (AMQP 0-9-1, as RabbitMQ routes):
 * - direct exchange: a binding matches when its key equals the routing key.
 * - fanout exchange: every binding matches, whatever the key.
 * - topic exchange: keys are words separated by "."; in a binding pattern "*" stands for
 *   exactly one word and "#" for zero or more words.
 * - headers exchange: a binding holds header values and "x-match": "all" (every listed
 *   header equal) or "any" (at least one); headers starting with "x-" are not compared.
 * - a probe: one message the lab publishes to an exchange with a routing key or headers; the
 *   spec says which queues it must reach (computed by `route`).
 * - delivered: the lab found the probe in that queue after the run (a `consume` operation
 *   with the queue as stream and the probe's id as key).
 *
 * Passes when every queue got exactly the probes the spec routes to it.
 *
 * Causes (the most common among the queues that differ names the failure):
 * - missing-queue: a queue of the spec was never declared.
 * - not-bound: the queue exists but got nothing, though probes were meant for it.
 * - too-broad: the queue got probes it should not (a "#" where "*" was meant, a fanout where a
 *   direct exchange was meant, "x-match": "any" where "all" was meant).
 * - too-narrow: the queue missed probes it should have got (a "*" where "#" was meant, a
 *   binding key that differs, "x-match": "all" where "any" was meant, a binding left out).
 */
import { observationsOf } from '../runner/observations.js';
import { type CheckDefinition, firstFew } from './types.js';
import { produceValue } from '../runner/messages.js';

export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers';

export interface Binding {
  queue: string;
  /** direct/topic: the binding key or pattern. */
  key?: string;
  /** headers: the values to match, and "x-match". */
  headers?: Record<string, string>;
}

export interface ExchangeSpec {
  name: string;
  type: ExchangeType;
  bindings: Binding[];
}

export interface Probe {
  id: string;
  exchange: string;
  routingKey?: string;
  headers?: Record<string, string>;
}

/** Whether a topic pattern matches a routing key ("*" one word, "#" zero or more). */
export function topicMatches(pattern: string, key: string): boolean {
  const p = pattern.split('.');
  const k = key === '' ? [] : key.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

/** Whether a headers binding matches a message's headers. */
export function headersMatch(binding: Record<string, string>, headers: Record<string, string>): boolean {
  const wanted = Object.entries(binding).filter(([name]) => !name.startsWith('x-'));
  const equal = ([name, value]: [string, string]) => headers[name] === value;
  return binding['x-match'] === 'any' ? wanted.some(equal) : wanted.every(equal);
}

/** The queues a probe reaches under the spec, sorted. */
export function route(spec: readonly ExchangeSpec[], probe: Probe): string[] {
  const exchange = spec.find((e) => e.name === probe.exchange);
  if (!exchange) return [];
  const reached = exchange.bindings.filter((b) => {
    switch (exchange.type) {
      case 'fanout':
        return true;
      case 'direct':
        return b.key === (probe.routingKey ?? '');
      case 'topic':
        return b.key !== undefined && topicMatches(b.key, probe.routingKey ?? '');
      case 'headers':
        return b.headers !== undefined && headersMatch(b.headers, probe.headers ?? {});
    }
  });
  return [...new Set(reached.map((b) => b.queue))].sort();
}

export interface RoutingParams {
  exchanges: ExchangeSpec[];
  probes: Probe[];
}

export const ROUTING_CAUSES = {
  'missing-queue': 'A queue the table names was never declared. Declare every queue of the table, with its exact name (NAME_PREFIX first).',
  'not-bound': 'A queue exists but nothing reached it: it is not bound to its exchange, or bound to another one. Bind it as the table says.',
  'too-broad':
    'A queue got messages it should not: its binding matches too much. In a topic pattern "#" matches any number of words and "*" exactly one; a fanout exchange ignores routing keys; "x-match": "any" needs only one header to match.',
  'too-narrow':
    'A queue missed messages it should have got: its binding matches too little. In a topic pattern "*" matches exactly one word (use "#" for any number); check every binding key letter by letter; "x-match": "all" needs every header to match.',
} as const;
type RoutingCause = keyof typeof ROUTING_CAUSES;

function describe(probe: Probe): string {
  if (probe.headers) return `${probe.id} (to ${probe.exchange} with headers ${JSON.stringify(probe.headers)})`;
  return `${probe.id} (to ${probe.exchange}, key "${probe.routingKey ?? ''}")`;
}

export const routesAsSpecified: CheckDefinition<RoutingParams> = {
  name: 'routes-as-specified',
  causes: ROUTING_CAUSES,
  parseParams(raw) {
    const exchanges = raw.exchanges;
    const probes = raw.probes;
    if (!Array.isArray(exchanges) || !exchanges.every((e) => typeof e?.name === 'string' && ['direct', 'fanout', 'topic', 'headers'].includes(e.type) && Array.isArray(e.bindings))) {
      throw new Error('"exchanges" must be a list of {"name", "type": direct|fanout|topic|headers, "bindings": [...]}');
    }
    if (!Array.isArray(probes) || !probes.every((p) => typeof p?.id === 'string' && typeof p.exchange === 'string')) throw new Error('"probes" must be a list of {"id", "exchange", "routingKey" or "headers"}');
    return { exchanges: exchanges as ExchangeSpec[], probes: probes as Probe[] };
  },
  run(history, p) {
    const title = 'Routes every message exactly as the table says';
    const queues = [...new Set(p.exchanges.flatMap((e) => e.bindings.map((b) => b.queue)))].sort();
    const expected = `each of the ${p.probes.length} probe messages reaches exactly the queues the routing table gives it`;
    // The lab records what it published (the probe's id as key, with its run-specific id in
    // the value) and what it found in each queue afterwards.
    const sentIds = new Map(history.filter((op) => op.kind === 'produce' && op.outcome === 'ok').map((op) => [String(produceValue(op).probe ?? ''), op.key ?? '']));
    if (sentIds.size === 0) return { title, status: 'unknown', expected, observed: 'the lab published no probes', examples: [] };
    const configs = new Map(observationsOf(history, 'amqp-queue-config').filter((op) => op.value.exists).map((op) => [op.value.role, op.value]));
    const got = new Map<string, Set<string>>();
    for (const op of history) if (op.kind === 'consume' && op.outcome === 'ok' && op.stream) got.set(op.stream, new Set([...(got.get(op.stream) ?? []), op.key ?? '']));

    const findings: Array<{ cause: RoutingCause; text: string }> = [];
    for (const queue of queues) {
      const want = p.probes.filter((probe) => route(p.exchanges, probe).includes(queue));
      const have = got.get(queue) ?? new Set<string>();
      const config = configs.get(queue);
      if (!config) {
        findings.push({ cause: 'missing-queue', text: `queue "${queue}" was never declared (${want.length} probe${want.length === 1 ? ' was' : 's were'} meant for it)` });
        continue;
      }
      const extra = p.probes.filter((probe) => have.has(sentIds.get(probe.id) ?? '\0') && !want.includes(probe));
      const missed = want.filter((probe) => !have.has(sentIds.get(probe.id) ?? '\0'));
      // Its bindings as RabbitMQ holds them (names without the run's prefix), shown with the evidence.
      const exchangesOf = new Set(p.exchanges.filter((e) => e.bindings.some((b) => b.queue === queue)).map((e) => e.name));
      const bindings = (config.bindings ?? []).map((b) => ({ ...b, exchange: p.exchanges.find((e) => b.exchange.endsWith(e.name))?.name ?? b.exchange }));
      const shown = bindings.map((b) => `${b.exchange} ${Object.keys(b.arguments).length > 0 ? JSON.stringify(b.arguments) : `"${b.key}"`}`).join(', ') || 'no bindings';
      if (want.length > 0 && !bindings.some((b) => exchangesOf.has(b.exchange))) {
        findings.push({ cause: 'not-bound', text: `queue "${queue}" is not bound to ${[...exchangesOf].join(' or ')} (it has ${shown}); it should have got ${want.map(describe).join(', ')}` });
        continue;
      }
      for (const probe of extra) findings.push({ cause: 'too-broad', text: `queue "${queue}" (bound: ${shown}) got ${describe(probe)}, which is not for it` });
      for (const probe of missed) findings.push({ cause: 'too-narrow', text: `queue "${queue}" (bound: ${shown}) missed ${describe(probe)}` });
    }
    if (findings.length === 0) return { title, status: 'pass', expected, observed: `all ${p.probes.length} probes reached exactly their queues (${queues.length} queues)`, examples: [] };
    const counts = new Map<RoutingCause, number>();
    for (const f of findings) counts.set(f.cause, (counts.get(f.cause) ?? 0) + 1);
    const cause = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'too-narrow';
    const PHRASE: Record<RoutingCause, [string, string]> = {
      'missing-queue': ['queue never declared', 'queues never declared'],
      'not-bound': ['queue not bound', 'queues not bound'],
      'too-broad': ['message in a queue it was not for', 'messages in a queue they were not for'],
      'too-narrow': ['message missing from its queue', 'messages missing from their queue'],
    };
    return {
      title,
      status: 'fail',
      expected,
      observed: [...counts].map(([c, n]) => `${n} ${PHRASE[c][n === 1 ? 0 : 1]}`).join(', '),
      examples: firstFew([...findings.filter((f) => f.cause === cause), ...findings.filter((f) => f.cause !== cause)].map((f) => f.text)),
      cause,
    };
  },
};

export interface ExchangesParams {
  exchanges: ExchangeSpec[];
}

export const EXCHANGE_CAUSES = {
  'missing-exchange': 'An exchange the table names was never declared: declare it with its exact name (NAME_PREFIX first) and type.',
  'wrong-type': 'An exchange has another type than the table says. The type decides how keys are matched: direct compares the key, topic matches patterns, fanout ignores keys, headers looks at headers. Delete the exchange (or use a fresh vhost) and declare it with the right type.',
  'not-durable': 'An exchange is not durable: it is gone after a broker restart, and with it every binding. Declare it with { durable: true }.',
} as const;
type ExchangeCause = keyof typeof EXCHANGE_CAUSES;

/**
 * exchanges-declared
 *
 * Definitions: an exchange's declaration is read from the management API after the run
 * (`observe` key "amqp-exchange-config": exists, type, durable). Passes when every exchange
 * of the table exists, has the table's type, and is durable.
 */
export const exchangesDeclared: CheckDefinition<ExchangesParams> = {
  name: 'exchanges-declared',
  causes: EXCHANGE_CAUSES,
  parseParams(raw) {
    const exchanges = raw.exchanges;
    if (!Array.isArray(exchanges) || !exchanges.every((e) => typeof e?.name === 'string' && typeof e.type === 'string')) throw new Error('"exchanges" must be a list of {"name", "type"}');
    return { exchanges: exchanges as ExchangeSpec[] };
  },
  run(history, p) {
    const title = 'Declares each exchange with its type, durable';
    const expected = p.exchanges.map((e) => `${e.name}: ${e.type}`).join(', ') + ', all durable';
    const seen = new Map(observationsOf(history, 'amqp-exchange-config').map((op) => [op.value.exchange, op.value]));
    if (seen.size === 0) return { title, status: 'unknown', expected, observed: 'the lab could not read the exchanges', examples: [] };
    const findings: Array<{ cause: ExchangeCause; text: string }> = [];
    for (const e of p.exchanges) {
      const x = seen.get(e.name);
      if (!x?.exists) findings.push({ cause: 'missing-exchange', text: `exchange "${e.name}" was never declared` });
      else if (x.type !== e.type) findings.push({ cause: 'wrong-type', text: `exchange "${e.name}" is ${x.type}; the table says ${e.type}` });
      else if (!x.durable) findings.push({ cause: 'not-durable', text: `exchange "${e.name}" is not durable` });
    }
    if (findings.length === 0) return { title, status: 'pass', expected, observed: `all ${p.exchanges.length} exchanges as the table says`, examples: [] };
    const first = findings[0] as { cause: ExchangeCause; text: string };
    return { title, status: 'fail', expected, observed: findings.map((f) => f.text).join('; '), examples: [], cause: first.cause };
  },
};
