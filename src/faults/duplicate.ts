/**
 * duplicate: the lab sends again messages it already sent, unchanged (same id, same body),
 * as a broker does when it redelivers after a lost acknowledgement, or a producer when it
 * retries a send whose confirmation it never got. At-least-once delivery means copies come;
 * a consumer whose effects must happen once recognises a copy (an idempotency key, a table of
 * processed ids) instead of doing the work twice.
 *
 * Definitions:
 * - at: a trigger (faults/triggers.ts), not a call.
 * - inlet: which of the workload's inlets (blocks/inlet.ts); default its only one.
 * - count: how many of the messages sent so far get copies (default 5), chosen evenly over
 *   them (`pick: "spread"`, the default) or the latest ones (`pick: "latest"`: the copies
 *   arrive while the originals may still be in the program's hands).
 * - copies: how many copies of each (default 1).
 * - tag: one more tag on every copy ("new-message-id"), when the workload's inlets send copies
 *   differently (the same message id as a broker's redelivery, a new one as a producer's
 *   retry) and a check must tell them apart.
 * Each copy is recorded as `produce` by the nemesis, under the original's key and stream,
 * with { fault: "duplicate", copyOf, tags: ["duplicate", tag?, ...the original's tags] }.
 */
import { num, optionalStr } from '../checks/types.js';
import { tagsOf } from '../runner/messages.js';
import type { Inlet } from './types.js';
import { type Trigger, parseTrigger, whenTriggered } from './triggers.js';
import type { FaultContext, FaultDefinition } from './types.js';

const PICKS = ['spread', 'latest'] as const;
export type DuplicatePick = (typeof PICKS)[number];

export interface DuplicateParams {
  at: Exclude<Trigger, { call: number }>;
  inlet: string | undefined;
  count: number;
  copies: number;
  pick: DuplicatePick;
  tag: string | undefined;
}

/** Which of the keys sent so far get copies (pure): `count` of them, evenly spaced, or the
 *  last `count`; all of them when fewer were sent. */
export function pickDuplicates(sent: readonly string[], count: number, pick: DuplicatePick): string[] {
  if (count >= sent.length) return [...sent];
  if (pick === 'latest') return sent.slice(sent.length - count);
  // Evenly spaced, the first and last included when count > 1: "0, 4, 8" of 9 for 3.
  if (count === 1) return [sent[Math.floor(sent.length / 2)] as string];
  return Array.from({ length: count }, (_, i) => sent[Math.round((i * (sent.length - 1)) / (count - 1))] as string);
}

/** The workload's inlet a fault acts through, or an error naming the inlets it has. */
export function inletFor(ctx: FaultContext, fault: string, name: string | undefined): Inlet {
  const found = ctx.inlet(name);
  if (!found) throw new Error(`the ${fault} fault needs an inlet${name ? ` named "${name}"` : ''}, and this workload registers ${name ? 'no such inlet' : 'none (or several: name one with "inlet")'}`);
  return found;
}

export const duplicate: FaultDefinition<DuplicateParams> = {
  name: 'duplicate',
  parseParams(raw) {
    const at = parseTrigger(raw.at);
    if ('call' in at) throw new Error('"at" must be {"produced": N}, {"afterMs": N} or {"phase": "name"} for a duplicate fault');
    const pick = optionalStr(raw, 'pick') ?? 'spread';
    if (!(PICKS as readonly string[]).includes(pick)) throw new Error(`"pick" must be one of ${PICKS.join(', ')}`);
    const count = num(raw, 'count', 5);
    const copies = num(raw, 'copies', 1);
    if (count < 1 || copies < 1) throw new Error('"count" and "copies" must be at least 1');
    return { at, inlet: optionalStr(raw, 'inlet'), count, copies, pick: pick as DuplicatePick, tag: optionalStr(raw, 'tag') };
  },
  arm(ctx, params, id) {
    const record = (value: Record<string, unknown>) => ctx.history.record({ process: 'nemesis', kind: 'fault', outcome: 'ok', value: { fault: 'duplicate', id, ...value } });
    const strike = async (): Promise<void> => {
      const inlet = inletFor(ctx, 'duplicate', params.inlet);
      const keys = pickDuplicates(inlet.sentKeys(), params.count, params.pick);
      record({ phase: 'start', keys });
      for (const key of keys) {
        const copyTags = [...(params.tag ? [params.tag] : []), ...tagsOf(ctx.history.produced(key))];
        for (let copy = 1; copy <= params.copies; copy++) {
          try {
            const at = await inlet.resend(key);
            ctx.history.record({ process: 'nemesis', kind: 'produce', outcome: 'ok', stream: inlet.stream, key, ...at, value: { fault: 'duplicate', copyOf: key, copy, tags: ['duplicate', ...copyTags] } });
          } catch (error) {
            ctx.history.record({ process: 'nemesis', kind: 'produce', outcome: 'fail', stream: inlet.stream, key, value: { fault: 'duplicate', copyOf: key, copy, error: String(error), tags: ['duplicate', ...(params.tag ? [params.tag] : [])] } });
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
