/** The typed readers of recorded message values (runner/messages.ts). */
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/runner/history.js';
import { consumeText, consumeValue, fieldsOf, produceValue, tagsOf } from '../../src/runner/messages.js';

const op = (value: unknown): Operation => ({ t: 0, process: 'lab', kind: 'produce', outcome: 'ok', key: 'k', value });

describe('message values', () => {
  it('reads an object value by its fields, anything else as none', () => {
    expect(produceValue(op({ orderId: 'o-1', copyOf: 'o-0', tags: ['vip'] })).copyOf).toBe('o-0');
    expect(fieldsOf(op('text'))).toEqual({});
    expect(fieldsOf(op(null))).toEqual({});
    expect(fieldsOf(op([1, 2]))).toEqual({});
    expect(consumeValue(undefined)).toEqual({});
  });

  it('gives the tags a message has, or none', () => {
    expect(tagsOf(op({ tags: ['poison', 7] }))).toEqual(['poison']);
    expect(tagsOf(op({ tags: 'poison' }))).toEqual([]);
    expect(tagsOf(op(undefined))).toEqual([]);
  });

  it('reads a consumed message as its text', () => {
    expect(consumeText(op('{"a":1}'))).toBe('{"a":1}');
    expect(consumeText(op(undefined))).toBe('undefined');
  });
});
