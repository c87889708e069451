/**
 * poison: the lab mixes malformed messages into the learner's input. A program must survive
 * each one (not crash, not stall on it, not retry it forever), set it aside (a dead-letter
 * queue, a log line) and go on with the rest.
 *
 * Definitions:
 * - at: a trigger (faults/triggers.ts), not a call; inlet: as for `duplicate`.
 * - kinds (default all), each sent `count` times (default 1):
 *   - not-json: JSON cut off in the middle ('{"id":"poison-not-json-1","amount":');
 *   - empty: a body of zero bytes;
 *   - binary: bytes that are not UTF-8 text;
 *   - wrong-shape: valid JSON, but an object with none of the fields the lab's messages have;
 *   - wrong-types: a message the lab sent, with every field's value of another type
 *     (numbers as words, text as numbers), or wrong-shape when none was sent yet.
 * - key: "poison-<kind>-<n>", given as the message's id where the broker has one.
 * Each is recorded as `produce` by the nemesis, with { fault: "poison", kind, tags:
 * ["poison", "poison:<kind>"] }: checks leave them out of what must be processed
 * (`excludeTag: "poison"`) or look for them in a dead-letter queue.
 */
import { num } from '../checks/types.js';
import { isRecord } from '../runner/messages.js';
import { inletFor } from './duplicate.js';
import { type Trigger, parseTrigger, whenTriggered } from './triggers.js';
import type { FaultDefinition } from './types.js';

export const POISON_KINDS = ['not-json', 'empty', 'binary', 'wrong-shape', 'wrong-types'] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

export interface PoisonParams {
  at: Exclude<Trigger, { call: number }>;
  inlet: string | undefined;
  kinds: PoisonKind[];
  count: number;
}

/** Every value of another type: a number as a word, text as a number, true as "yes". */
function retyped(value: unknown): unknown {
  if (typeof value === 'number') return 'seven';
  if (typeof value === 'string') return 7;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return { items: value.length };
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, retyped(v)]));
  return [];
}

/** The body of one poison message (pure). `template`: a body the lab sent, for wrong-types. */
export function poisonBody(kind: PoisonKind, key: string, template?: Buffer): Buffer {
  switch (kind) {
    case 'not-json':
      return Buffer.from(`{"id":"${key}","amount":`);
    case 'empty':
      return Buffer.alloc(0);
    case 'binary':
      // 0xC3 0x28 and 0xFF are never valid UTF-8; the NUL trips C-string handling too.
      return Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x00, 0x9f, 0x92, 0x96]);
    case 'wrong-types': {
      try {
        const parsed: unknown = JSON.parse(template?.toString('utf8') ?? '');
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return Buffer.from(JSON.stringify(retyped(parsed)));
      } catch {
        // no JSON object to derive from: fall through to wrong-shape
      }
      return poisonBody('wrong-shape', key);
    }
    case 'wrong-shape':
      return Buffer.from(JSON.stringify({ unexpected: key, hint: 'none of the fields you expect' }));
  }
}

export const poison: FaultDefinition<PoisonParams> = {
  name: 'poison',
  parseParams(raw) {
    const at = parseTrigger(raw.at);
    if ('call' in at) throw new Error('"at" must be {"produced": N}, {"afterMs": N} or {"phase": "name"} for a poison fault');
    const kinds = raw.kinds ?? [...POISON_KINDS];
    if (!Array.isArray(kinds) || kinds.length === 0 || kinds.some((k) => !(POISON_KINDS as readonly unknown[]).includes(k))) {
      throw new Error(`"kinds" must be a list of ${POISON_KINDS.join(', ')}`);
    }
    const count = num(raw, 'count', 1);
    if (count < 1) throw new Error('"count" must be at least 1');
    const inletName = raw.inlet;
    if (inletName !== undefined && typeof inletName !== 'string') throw new Error('"inlet" must be a string');
    return { at, inlet: inletName, kinds: kinds as PoisonKind[], count };
  },
  arm(ctx, params, id) {
    const record = (value: Record<string, unknown>) => ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'poison', id, ...value } });
    const strike = async (): Promise<void> => {
      const inlet = inletFor(ctx, 'poison', params.inlet);
      const first = inlet.sentKeys()[0];
      const template = first === undefined ? undefined : inlet.bodyOf(first);
      record({ phase: 'start', kinds: params.kinds, count: params.count });
      for (let n = 1; n <= params.count; n++) {
        for (const kind of params.kinds) {
          // A second poison fault in one scenario gets keys of its own.
          const key = `poison-${kind}-${n}${id === 0 ? '' : `-f${id}`}`;
          const value = { fault: 'poison', kind, tags: ['poison', `poison:${kind}`] };
          try {
            const at = await inlet.sendRaw(key, poisonBody(kind, key, template));
            ctx.history.record({ process: 'nemesis', kind: 'produce', outcome: 'ok', stream: inlet.stream, key, ...at, value });
          } catch (error) {
            ctx.history.record({ process: 'nemesis', kind: 'produce', outcome: 'fail', stream: inlet.stream, key, value: { ...value, error: String(error) } });
          }
        }
      }
      record({ phase: 'heal' });
    };
    void whenTriggered(params.at, ctx.history, ctx.signal).then((fired) => {
      if (fired) ctx.track(strike());
    });
  },
};
