// rabbitmq-topic-routing: the scenario's routing table and events, designed from the mistakes
// backwards. Every plausible wrong pattern, key order and key shape must change what some
// queue receives (otherwise routes-as-specified could not see it); a variant that changes
// nothing must be equivalent on every key the README allows (3 or 4 words, region first).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ExchangeSpec, type Probe, route } from '../../src/checks/routing.js';
import { fieldsOf } from '../../src/workloads/rabbitmq-topic-routing.js';

const scenario = JSON.parse(readFileSync(new URL('../../scenarios/rabbitmq-topic-routing/scenario.json', import.meta.url), 'utf8')) as {
  workload: { options: { exchanges: ExchangeSpec[]; events: Probe[] } };
};
const { exchanges, events } = scenario.workload.options;
const table = exchanges[0] as ExchangeSpec;

/** What each queue gets under a table, with each event's key passed through `keyOf`. */
function delivery(spec: ExchangeSpec, keyOf: (key: string) => string = (k) => k): string {
  const got = events.map((e) => `${e.id}->${route([spec], { ...e, routingKey: keyOf(e.routingKey ?? '') }).join(',')}`);
  return got.join(' ');
}
const expected = delivery(table);

function withPattern(queue: string, pattern: string): ExchangeSpec {
  return { ...table, bindings: table.bindings.map((b) => (b.queue === queue ? { ...b, key: pattern } : b)) };
}

describe('rabbitmq-topic-routing: the table tells every near miss apart', () => {
  it.each([
    ['payments', '*.payments.#'],
    ['payments', '#.payments.#'],
    ['payments', '#.payments.*'],
    ['payments-all', '*.payments.*'],
    ['payments-all', '#.payments.#'],
    ['critical', '*.*.critical'],
    ['critical', '*.critical'],
    ['errors', '#.error'],
    ['errors', '*.*.*.error'],
    ['us-errors', 'us.*.error'],
    ['us-errors', 'us.#'],
    ['us-errors', '#.error'],
    ['eu-logs', 'eu.*.*'],
    ['eu-logs', 'eu.*'],
    ['audit', '*.*.*'],
  ])('%s bound with %s instead of its pattern changes what it gets', (queue, pattern) => {
    expect(delivery(withPattern(queue, pattern))).not.toBe(expected);
  });

  it('a binding left over next to the right one changes what the queue gets', () => {
    const leftover = { ...table, bindings: [...table.bindings, { queue: 'errors', key: '#.error' }] };
    expect(delivery(leftover)).not.toBe(expected);
  });

  it('every other order of the key fields changes what some queue gets', () => {
    const orders = [
      [1, 0, 2],
      [2, 1, 0],
      [0, 2, 1],
      [1, 2, 0],
      [2, 0, 1],
    ];
    for (const order of orders) {
      const keyOf = (key: string) => {
        const words = key.split('.');
        const [region, service, severity] = [words[0], words[1], words.at(-1)] as [string, string, string];
        const sub = words.length === 4 ? [words[2] as string] : [];
        const three = [region, service, severity];
        const reordered = order.map((i) => three[i] as string);
        return [...reordered.slice(0, 2), ...sub, ...reordered.slice(2)].join('.');
      };
      expect(delivery(table, keyOf), `order ${order.join(',')}`).not.toBe(expected);
    }
  });

  it('a key without its sub-service, or with the sub-service after the severity, changes what some queue gets', () => {
    const dropped = (key: string) => key.split('.').filter((_, i, words) => words.length === 3 || i !== 2).join('.');
    const subLast = (key: string) => {
      const w = key.split('.');
      return w.length === 4 ? [w[0], w[1], w[3], w[2]].join('.') : key;
    };
    expect(delivery(table, dropped)).not.toBe(expected);
    expect(delivery(table, subLast)).not.toBe(expected);
  });

  it('each event has a key of 3 or 4 words, and its fields come from it', () => {
    expect(fieldsOf('eu.payments.card.error')).toEqual({ region: 'eu', service: 'payments', subservice: 'card', severity: 'error' });
    expect(fieldsOf('us.search.info')).toEqual({ region: 'us', service: 'search', severity: 'info' });
    expect(() => fieldsOf('eu.error')).toThrow('3 or 4 words');
    for (const e of events) expect(() => fieldsOf(e.routingKey ?? '')).not.toThrow();
  });
});
