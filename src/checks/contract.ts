/**
 * output-contract
 *
 * What the learner's program outputs must follow the exercise's contract, not only carry
 * the right ids: each output is validated against the JSON Schema the exercise ships (the
 * same file its README shows), and fields the lab can recompute from the input must hold
 * what the input says.
 *
 * Definitions:
 * - output: an operation matching `delivered` (any outcome) whose value is the raw text the
 *   lab received (a Pub/Sub message, a queue message body).
 * - input of an output: the `sent` operation with the output's key (its value holds the
 *   fields the lab sent, plus what the lab knows about them, e.g. the customer's tier).
 * - valid: the text parses as JSON and the schema accepts it.
 * - faithful: for each rule, the output's field says what the input says: with
 *   `{ field, equals: "Thank you for order {orderId}" }` it is exactly the template filled in
 *   from the input's fields; with `{ field, includes: [...] }` it contains each.
 *
 * Causes: not-json (an output is not JSON), schema-violation (the schema rejects it),
 * wrong-content (valid, but a field does not say what its input says), not-from-input (an
 * output for an id the lab never sent: made up, a test message, a leftover).
 */
import { createRequire } from 'node:module';
import { type CheckDefinition, type Selector, countOf, firstFew, select, selector, str } from './types.js';
import { consumeText, produceValue } from '../runner/messages.js';

export interface ContentRule {
  field: string;
  /** Templates whose `{name}` placeholders are filled from the input's fields: the field
   *  must include each ... */
  includes?: readonly string[];
  /** ... or be exactly this one. */
  equals?: string;
}

export interface ContractParams {
  subject: string;
  sent: Selector;
  delivered: Selector;
  /** The JSON Schema (the catalog loader reads it from the lab's folder). */
  schema: Record<string, unknown>;
  /** The schema's file name as the learner sees it, for messages. */
  schemaFile: string;
  rules: readonly ContentRule[];
}

export const CONTRACT_CAUSES = {
  'not-json': 'What you publish must be JSON: JSON.stringify the object (json.dumps in Python), not a plain string or the object\'s toString().',
  'schema-violation': 'Your output does not follow the exercise\'s contract. Compare one of the examples with the JSON Schema the README points to: every required field, with the right name and type.',
  'wrong-content': 'Your output has the right shape, but a field does not say what the input says. Build it from the message you received, as the README specifies.',
  'not-from-input': 'You published something for an id the lab never sent (a test message at start-up, a made-up or leftover one). Publish one output per input, and nothing else.',
} as const;

type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };
const compiled = new WeakMap<object, Validate>();

/** ajv, loaded when a contract is first checked: most commands never need it. */
function validatorFor(schema: Record<string, unknown>): Validate {
  let validate = compiled.get(schema);
  if (!validate) {
    // JSON Schema 2020-12, the draft the exercises' schemas are written in.
    const Ajv = createRequire(import.meta.url)('ajv/dist/2020').default as new (options: object) => { compile(schema: object): Validate };
    validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function fill(template: string, input: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(input[name] ?? `{${name}}`));
}

function rules(raw: unknown): readonly ContentRule[] {
  if (raw === undefined) return [];
  const valid = (r: Record<string, unknown>) =>
    typeof r?.field === 'string' &&
    (typeof r.equals === 'string' || (Array.isArray(r.includes) && r.includes.every((t: unknown) => typeof t === 'string')));
  if (!Array.isArray(raw) || !raw.every(valid)) {
    throw new Error('"rules" must be a list like [{"field": "text", "equals": "Order {orderId}"}] or [{"field": "text", "includes": ["{orderId}"]}]');
  }
  return raw as ContentRule[];
}

/** What a rule wants of a field, for the learner: the exact text, or the parts it must include. */
function describeRule(r: ContentRule): string {
  return r.equals !== undefined ? `"${r.field}" is exactly ${JSON.stringify(r.equals)}` : `"${r.field}" includes ${(r.includes ?? []).join(', ')}`;
}

export const outputContract: CheckDefinition<ContractParams> = {
  name: 'output-contract',
  causes: CONTRACT_CAUSES,
  parseParams: (raw) => {
    const schema = raw.schema;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Error('"schema" must name a JSON Schema file in the lab\'s folder');
    return { subject: str(raw, 'subject'), sent: selector(raw, 'sent'), delivered: selector(raw, 'delivered'), schema: schema as Record<string, unknown>, schemaFile: str(raw, 'schemaFile', 'the schema'), rules: rules(raw.rules) };
  },
  run(history, p) {
    const inputs = new Map(select(history, p.sent, 'ok').map((op) => [op.key, produceValue(op)]));
    const outputs = select(history, p.delivered).filter((op) => typeof op.value === 'string');
    const title = `Each ${p.subject} follows the contract (${p.schemaFile})`;
    const expected = `every ${p.subject} is JSON that ${p.schemaFile} accepts${p.rules.length > 0 ? `, and ${p.rules.map(describeRule).join('; ')}` : ''}`;
    if (outputs.length === 0) return { title, status: 'unknown', expected, observed: `no ${p.subject} arrived, so there was nothing to check`, examples: [] };

    const validate = validatorFor(p.schema);
    const problems: Array<{ cause: keyof typeof CONTRACT_CAUSES; output: number; text: string }> = [];
    for (const [output, op] of outputs.entries()) {
      const text = consumeText(op);
      const label = op.key ?? `${p.subject} at ${(op.t / 1000).toFixed(1)}s`;
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        problems.push({ cause: 'not-json', output, text: `${label}: not JSON: ${quote(text)}` });
        continue;
      }
      if (!validate(data)) {
        const why = (validate.errors ?? []).map((e) => `${e.instancePath || '(the object)'} ${e.message ?? 'is invalid'}`).join('; ');
        problems.push({ cause: 'schema-violation', output, text: `${label}: ${why}; got ${quote(text)}` });
        continue;
      }
      const input = inputs.get(op.key);
      if (!input) {
        problems.push({ cause: 'not-from-input', output, text: `${label}: the lab never sent ${op.key === undefined ? 'an input for it' : `an input with that id`}; got ${quote(text)}` });
        continue;
      }
      for (const rule of p.rules) {
        const value = String((data as Record<string, unknown>)[rule.field] ?? '');
        if (rule.equals !== undefined) {
          const want = fill(rule.equals, input);
          if (value !== want) problems.push({ cause: 'wrong-content', output, text: `${label}: "${rule.field}" should be ${quote(want)}; got ${quote(value)}` });
          continue;
        }
        const missing = (rule.includes ?? []).map((t) => fill(t, input)).filter((want) => !value.includes(want));
        if (missing.length > 0) problems.push({ cause: 'wrong-content', output, text: `${label}: "${rule.field}" should include ${missing.map((m) => `"${m}"`).join(' and ')}; got ${quote(value)}` });
      }
    }
    if (problems.length === 0) return { title, status: 'pass', expected, observed: `all ${outputs.length} followed it`, examples: [] };
    const counts = new Map<string, number>();
    for (const x of problems) counts.set(x.cause, (counts.get(x.cause) ?? 0) + 1);
    const cause = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] as keyof typeof CONTRACT_CAUSES;
    const bad = new Set(problems.map((x) => x.output)).size;
    const were = bad === 1 ? 'was' : 'were';
    const WHAT = {
      'not-json': `${were} not JSON`,
      'schema-violation': `did not follow ${p.schemaFile}`,
      'wrong-content': `did not say what ${bad === 1 ? 'its' : 'their'} input says`,
      'not-from-input': `${were} for ${bad === 1 ? 'an input' : 'inputs'} the lab never sent`,
    } as const;
    return { title, status: 'fail', expected, observed: `${countOf(bad, outputs.length, p.subject)} ${WHAT[cause]}`, examples: firstFew(problems.map((x) => x.text), 3), cause };
  },
};

function quote(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}
