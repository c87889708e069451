/**
 * no-lost-messages
 *
 * Definitions:
 * - sent: a `produce` operation by the lab with outcome "ok" (the broker accepted it),
 *   minus those carrying `excludeTag` (e.g. poison messages, which must be dead-lettered).
 * - delivered: an operation matching `delivered` with outcome "ok" and the same key (the lab
 *   saw the learner's output for it, or the downstream saw a successful call for it).
 *   Outcome "info" (e.g. a call cut short by a kill) does not count as delivered.
 * - lost: sent, and never delivered by the end of the run's drain phase.
 */
import type { History } from '../runner/history.js';
import {
  type CheckDefinition,
  type Selector,
  countOf,
  firstFew,
  optionalStr,
  select,
  selector,
  seconds,
  str,
  tagsOf,
} from './types.js';

export interface LostParams {
  /** What one message is to the learner: "notification", "task", "payment". */
  subject: string;
  sent: Selector;
  delivered: Selector;
  excludeTag?: string;
}

export const noLostMessages: CheckDefinition<LostParams> = {
  name: 'no-lost-messages',
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    sent: selector(raw, 'sent'),
    delivered: selector(raw, 'delivered'),
    excludeTag: optionalStr(raw, 'excludeTag'),
  }),
  run(history: History, p) {
    const sent = select(history, p.sent, 'ok').filter((op) => !(p.excludeTag && tagsOf(op).includes(p.excludeTag)));
    const delivered = new Set(select(history, p.delivered, 'ok').map((op) => op.key));
    const lost = sent.filter((op) => !delivered.has(op.key));
    const total = sent.length;
    const title = `Every ${p.subject} gets through`;
    const expected = `all ${total} ${p.subject}s sent by the lab are processed at least once`;
    if (total === 0) {
      return { title, status: 'unknown', expected, observed: 'the lab sent nothing, so nothing could be checked', examples: [] };
    }
    if (lost.length === 0) {
      return { title, status: 'pass', expected, observed: `all ${total} arrived`, examples: [] };
    }
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(lost.length, total, p.subject)} never got through`,
      examples: firstFew(lost).map((op) => `${op.key} (sent at ${seconds(op.t)})`),
    };
  },
};
