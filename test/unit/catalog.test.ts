// The catalog: every shipped scenario loads, and a broken one is refused with a message
// naming the file and the field.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExercise, loadCatalog, parseScenario } from '../../src/catalog/load.js';
import { validateChecks } from '../../src/catalog/checks.js';
import { CHECKS, loadCheck } from '../../src/checks/index.js';
import { WORKLOADS, loadWorkload } from '../../src/workloads/index.js';
import { WORKLOAD_DEFAULTS } from '../../src/workloads/options/index.js';
import { UsageError } from '../../src/errors.js';
import { LABS_DIR } from '../../src/paths.js';

// The raw scenario.json, as an author writes it (the parsed scenario has other field shapes).
const valid = () => JSON.parse(readFileSync(path.join(findExercise('redis-pubsub-notifier').dir, 'scenario.json'), 'utf8')) as Record<string, any>;

describe('catalog', () => {
  it('loads the catalog in curriculum order: level, week, then the plan\'s order within the week', () => {
    const order = loadCatalog().map((e) => [e.scenario.level, Number.parseInt(e.scenario.week, 10), e.scenario.id] as const);
    const sorted = [...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(order.map((o) => [o[0], o[1]])).toEqual(sorted.map((o) => [o[0], o[1]]));
    expect(order[0]?.[2]).toBe('redis-pubsub-notifier');
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
    ['a wrong solution naming a check the scenario lacks', (s: Record<string, any>) => (s.solutions.wrong[0].failsCheck = 'manual-ack'), /names an unknown check of this scenario "manual-ack"/],
    ['a check that no wrong solution trips', (s: Record<string, any>) => s.solutions.wrong.splice(1, 1), /no wrong solution is meant to trip .*in-order/],
    ['a wrong solution without its class of mistake', (s: Record<string, any>) => delete s.solutions.wrong[0].kind, /"solutions\.wrong\[0\]\.kind" must be a non-empty string/],
    ['a schema file the lab does not have', (s: Record<string, any>) => (s.checks.find((c: any) => c.check === 'output-contract').params.schema = 'nope.json'), /cannot read its schema nope\.json/],
    ['a negative timeout', (s: Record<string, any>) => (s.timeouts.readyMs = -1), /"timeouts\.readyMs" must be a non-negative number/],
  ])('refuses %s, naming file and field', (_what, mutate, message) => {
    const scenario = valid();
    mutate(scenario);
    const readLabFile = (name: string) => JSON.parse(readFileSync(path.join(LABS_DIR, 'redis-pubsub-notifier', name), 'utf8'));
    expect(() => parseScenario('scenarios/x/scenario.json', scenario, readLabFile)).toThrow(UsageError);
    expect(() => parseScenario('scenarios/x/scenario.json', scenario, readLabFile)).toThrow(message);
  });

  // What needs a check's definition is validated when its module is loaded (before a run).
  it.each([
    ['bad check params', (s: Record<string, any>) => delete s.checks.find((c: any) => c.check === 'no-lost-messages').params.sent, /check "no-lost-messages": "sent" must be a selector/],
    ['a diagnosis naming a cause the check does not know', (s: Record<string, any>) => (s.solutions.wrong[0].diagnosis = { 'no-lost-messages': 'bad-luck' }), /names an unknown cause of no-lost-messages "bad-luck"/],
    ['a hint for a cause the check does not know', (s: Record<string, any>) => (s.checks[2].hints = { 'bad-luck': 'x' }), /"checks\[2\]\.hints" names an unknown cause of no-lost-messages "bad-luck"/],
  ])('refuses %s once its checks are loaded, naming file and field', async (_what, mutate, message) => {
    const scenario = valid();
    mutate(scenario);
    const readLabFile = (name: string) => JSON.parse(readFileSync(path.join(LABS_DIR, 'redis-pubsub-notifier', name), 'utf8'));
    const parsed = parseScenario('scenarios/x/scenario.json', scenario, readLabFile);
    await expect(validateChecks(parsed, 'scenarios/x/scenario.json')).rejects.toThrow(UsageError);
    await expect(validateChecks(parsed, 'scenarios/x/scenario.json')).rejects.toThrow(message);
  });
});

describe('every exercise of the catalog', () => {
  const catalog = loadCatalog();
  it.each(catalog.map((e) => [e.scenario.id, e] as const))('%s ships at least five wrong solutions of at least three classes, one of them in Python', (_id, entry) => {
    const wrong = entry.scenario.solutions.wrong;
    expect(wrong.length).toBeGreaterThanOrEqual(5);
    expect(new Set(wrong.map((w) => w.kind)).size).toBeGreaterThanOrEqual(3);
    expect(wrong.some((w) => w.file.endsWith('.py'))).toBe(true);
  });
  it.each(catalog.map((e) => [e.scenario.id, e] as const))('%s: its checks accept their params, hints and diagnoses', async (_id, entry) => {
    await expect(validateChecks(entry.scenario, `scenarios/${entry.scenario.id}/scenario.json`)).resolves.toBeUndefined();
  });
  it.each(catalog.map((e) => [e.scenario.id, e] as const))('%s: every wrong solution that trips a check with causes says which cause it must name', async (_id, entry) => {
    for (const w of entry.scenario.solutions.wrong) {
      for (const check of w.failsChecks) {
        const definition = CHECKS.has(check) ? await loadCheck(check) : undefined;
        const hasCauses = Object.keys(definition?.causes ?? {}).length > 0;
        if (hasCauses) expect({ file: w.file, check, cause: w.diagnosis[check] }).toMatchObject({ cause: expect.any(String) });
      }
    }
  });
});

describe('check registry', () => {
  it.each([...CHECKS.keys()])('%s loads a definition under its own name', async (name) => {
    expect((await loadCheck(name)).name).toBe(name);
  });
});

describe('workload options', () => {
  it.each(loadCatalog().map((e) => [e.scenario.id, e] as const))('%s: its workload loads and accepts its options', async (_id, entry) => {
    const workload = await loadWorkload(entry.scenario.workload.name);
    expect(() => workload.parseOptions(entry.scenario.workload.options)).not.toThrow();
  });
  it('check params name the scenario\'s own values instead of repeating them ($workload.x, $learner.x)', () => {
    const retry = findExercise('rabbitmq-retry-worker').scenario;
    expect(retry.checks.find((c) => c.check === 'dead-lettered-after-attempts')?.params.attempts).toBe(retry.workload.options.maxAttempts);
    const scenario = valid();
    scenario.checks[1].params.subject = '$workload.nope';
    expect(() => parseScenario('scenarios/x/scenario.json', scenario, () => ({}))).toThrow('"subject" refers to $workload.nope, which neither the scenario sets (workload.options.nope) nor the workload has a default for');
  });
  it('a reference to an option the scenario does not set is the workload\'s default, read without loading the workload', () => {
    const scenario = valid();
    delete scenario.workload.options.burstGapMs;
    scenario.checks[1].params.extra = '$workload.burstGapMs';
    const parsed = parseScenario('scenarios/x/scenario.json', scenario, (name) => JSON.parse(readFileSync(path.join(LABS_DIR, 'redis-pubsub-notifier', name), 'utf8')));
    expect(parsed.checks[1]?.params.extra).toBe(WORKLOAD_DEFAULTS.get('redis-pubsub-notifier')?.burstGapMs);
  });
  it('every workload has its defaults as data, the same its parseOptions falls back to', async () => {
    expect([...WORKLOAD_DEFAULTS.keys()].sort()).toEqual([...WORKLOADS.keys()].sort());
    for (const entry of loadCatalog()) {
      const workload = await loadWorkload(entry.scenario.workload.name);
      const parsed = workload.parseOptions(entry.scenario.workload.options) as Record<string, unknown>;
      for (const [option, value] of Object.entries(WORKLOAD_DEFAULTS.get(entry.scenario.workload.name) ?? {})) {
        if (entry.scenario.workload.options[option] === undefined) expect({ option, value: parsed[option] }).toEqual({ option, value });
      }
    }
  });
  it('fault params name them too, resolved before the fault reads its params', () => {
    const chain = findExercise('event-chain').scenario;
    expect(chain.faults[0]?.params.instance).toBe(chain.workload.options.paymentCopy);
    const scenario = valid();
    scenario.faults[0].params.at = '$workload.nope';
    expect(() => parseScenario('scenarios/x/scenario.json', scenario, () => ({}))).toThrow('"faults[0].params": "at" refers to $workload.nope, which neither the scenario sets (workload.options.nope) nor the workload has a default for');
  });
});
