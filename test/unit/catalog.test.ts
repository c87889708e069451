// The catalog: every shipped scenario loads, and a broken one is refused with a message
// naming the file and the field.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExercise, loadCatalog, parseScenario } from '../../src/catalog/load.js';
import { UsageError } from '../../src/errors.js';

// The raw scenario.json, as an author writes it (the parsed scenario has other field shapes).
const valid = () => JSON.parse(readFileSync(path.join(findExercise('redis-pubsub-notifier').dir, 'scenario.json'), 'utf8')) as Record<string, any>;

describe('catalog', () => {
  it('loads the pilots in curriculum order, each with at least two wrong solutions', () => {
    const catalog = loadCatalog();
    expect(catalog.map((e) => e.scenario.id)).toEqual(['redis-pubsub-notifier', 'rabbitmq-retry-worker', 'kafka-consumer-group']);
    for (const entry of catalog) expect(entry.scenario.solutions.wrong.length).toBeGreaterThanOrEqual(2);
  });

  it('suggests a close id for a typo', () => {
    expect(() => findExercise('kafka-consumer')).toThrow('unknown exercise "kafka-consumer". Did you mean kafka-consumer-group?');
  });

  it.each([
    ['an unknown check', (s: Record<string, any>) => (s.checks[0].check = 'no-lost'), /"checks\[0\]\.check" names an unknown check "no-lost"/],
    ['an unknown workload', (s: Record<string, any>) => (s.workload.name = 'nope'), /"workload\.name" names an unknown workload "nope"/],
    ['an unknown broker', (s: Record<string, any>) => (s.brokers = ['activemq']), /"brokers" names an unknown broker "activemq"/],
    ['a wrong format version', (s: Record<string, any>) => (s.formatVersion = 2), /formatVersion 2 is not supported/],
    ['a missing hint', (s: Record<string, any>) => delete s.checks[1].hint, /"checks\[1\]\.hint" must be a non-empty string/],
    ['bad check params', (s: Record<string, any>) => delete s.checks[1].params.sent, /check "no-lost-messages": "sent" must be a selector/],
    ['a wrong solution naming a check the scenario lacks', (s: Record<string, any>) => (s.solutions.wrong[0].failsCheck = 'manual-ack'), /names an unknown check of this scenario "manual-ack"/],
    ['a check that no wrong solution trips', (s: Record<string, any>) => s.solutions.wrong.splice(1), /no wrong solution is meant to trip .*in-order/],
    ['a negative timeout', (s: Record<string, any>) => (s.timeouts.readyMs = -1), /"timeouts\.readyMs" must be a non-negative number/],
  ])('refuses %s, naming file and field', (_what, mutate, message) => {
    const scenario = valid();
    mutate(scenario);
    expect(() => parseScenario('scenarios/x/scenario.json', scenario)).toThrow(UsageError);
    expect(() => parseScenario('scenarios/x/scenario.json', scenario)).toThrow(message);
  });
});
