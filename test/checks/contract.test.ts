// output-contract over literal histories: JSON, the schema, and content recomputed from the input.
import { describe, expect, it } from 'vitest';
import { outputContract } from '../../src/checks/contract.js';
import type { Operation } from '../../src/runner/history.js';

const schema = { type: 'object', required: ['orderId', 'text'], properties: { orderId: { type: 'string' }, text: { type: 'string', minLength: 1 } } };
const params = {
  subject: 'notification',
  sent: { kind: 'produce', stream: 'orders' },
  delivered: { kind: 'consume', stream: 'notifications' },
  schema,
  schemaFile: 'notification.schema.json',
  rules: [{ field: 'text', includes: ['{orderId}', '({total} EUR)', 'dear {tier} customer'] }],
} as const;
const order = (key: string, total: number, tier: string): Operation => ({ t: 0, process: 'lab', kind: 'produce', outcome: 'ok', stream: 'orders', key, value: { orderId: key, total, tier } });
const out = (key: string | undefined, text: string): Operation => ({ t: 5, process: 'lab', kind: 'consume', outcome: key ? 'ok' : 'fail', stream: 'notifications', ...(key ? { key } : {}), value: text });
const good = (key: string, total: number, tier: string) => out(key, JSON.stringify({ orderId: key, text: `Thank you for order ${key} (${total} EUR), dear ${tier} customer!` }));

describe('output-contract', () => {
  it('passes what the schema accepts and what says what its input says', () => {
    expect(outputContract.run([order('o1', 12, 'gold'), good('o1', 12, 'gold')], params).status).toBe('pass');
  });
  it('fails text that is not JSON', () => {
    const r = outputContract.run([order('o1', 12, 'gold'), out(undefined, 'order o1 received')], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'not-json', observed: '1 of 1 notification was not JSON' });
  });
  it('fails the raw order republished: the schema names the missing field', () => {
    const r = outputContract.run([order('o1', 12, 'gold'), out('o1', JSON.stringify({ orderId: 'o1', total: 12 }))], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'schema-violation' });
    expect(r.examples[0]).toContain("(the object) must have required property 'text'");
  });
  it('fails a text that leaves out what the input says, naming what is missing', () => {
    const r = outputContract.run([order('o1', 12, 'gold'), out('o1', JSON.stringify({ orderId: 'o1', text: 'Thank you for order o1!' }))], params);
    expect(r).toMatchObject({ status: 'fail', cause: 'wrong-content' });
    expect(r.examples[0]).toBe('o1: "text" should include "(12 EUR)" and "dear gold customer"; got "Thank you for order o1!"');
  });
  it('is unknown when nothing arrived', () => {
    expect(outputContract.run([order('o1', 12, 'gold')], params).status).toBe('unknown');
  });
});

describe('output-contract: exact text', () => {
  const exact = { ...params, rules: [{ field: 'text', equals: 'Thank you for order {orderId} ({total} EUR), dear {tier} customer!' }] };
  it('passes the exact text and fails other wording, showing both', () => {
    expect(outputContract.run([order('o1', 12, 'gold'), good('o1', 12, 'gold')], exact).status).toBe('pass');
    const r = outputContract.run([order('o1', 12, 'gold'), out('o1', JSON.stringify({ orderId: 'o1', text: 'Thanks for order o1 (12 EUR), dear gold customer!' }))], exact);
    expect(r).toMatchObject({ status: 'fail', cause: 'wrong-content' });
    expect(r.examples[0]).toBe('o1: "text" should be "Thank you for order o1 (12 EUR), dear gold customer!"; got "Thanks for order o1 (12 EUR), dear gold customer!"');
  });
});

describe('output-contract: counts and made-up outputs', () => {
  it('counts every unreadable output, even several in the same tenth of a second', () => {
    const h = [order('o1', 12, 'gold'), out(undefined, "{'orderId': 'o1'}"), out(undefined, "{'orderId': 'o2'}"), out(undefined, "{'orderId': 'o3'}")];
    expect(outputContract.run(h, params).observed).toBe('3 of 3 notifications were not JSON');
  });
  it('fails an output for an order the lab never sent (a start-up test message)', () => {
    const h = [order('o1', 12, 'gold'), good('o1', 12, 'gold'), out('order-test', JSON.stringify({ orderId: 'order-test', text: 'test' }))];
    const r = outputContract.run(h, params);
    expect(r).toMatchObject({ status: 'fail', cause: 'not-from-input', observed: '1 of 2 notifications was for an input the lab never sent' });
  });
});
