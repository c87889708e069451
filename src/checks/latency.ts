/**
 * latency
 *
 * Definitions:
 * - latency of a key: time from its `produce` (ok) to its first `delivered` (ok).
 * - pN: the N-th percentile by the nearest-rank method over all delivered keys.
 * Keys never delivered are the business of no-lost-messages, not of this check.
 */
import { type CheckDefinition, type Selector, countOf, num, select, selector, str } from './types.js';
import { fieldsOf } from '../runner/messages.js';

export interface LatencyParams {
  subject: string;
  sent: Selector;
  delivered: Selector;
  percentile: number;
  maxMs: number;
  /** A field of the sent message's value ("phase"): the percentile must hold in each group
   *  on its own, so a small later round is not hidden by a large first one. */
  groupBy?: string;
}

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedMs.length));
  return sortedMs[rank - 1] ?? Number.NaN;
}

export const latency: CheckDefinition<LatencyParams> = {
  name: 'latency',
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    sent: selector(raw, 'sent'),
    delivered: selector(raw, 'delivered'),
    percentile: num(raw, 'percentile', 99),
    maxMs: num(raw, 'maxMs'),
    ...(raw.groupBy === undefined ? {} : { groupBy: str(raw, 'groupBy') }),
  }),
  run(history, p) {
    const sentAt = new Map<string, { t: number; group: string }>();
    for (const op of select(history, p.sent, 'ok')) {
      if (op.key && !sentAt.has(op.key)) sentAt.set(op.key, { t: op.t, group: p.groupBy ? String(fieldsOf(op)[p.groupBy] ?? '') : '' });
    }
    const groups = new Map<string, number[]>();
    const seen = new Set<string>();
    for (const op of select(history, p.delivered, 'ok')) {
      if (!op.key || seen.has(op.key)) continue;
      seen.add(op.key);
      const sent = sentAt.get(op.key);
      if (sent !== undefined) groups.set(sent.group, [...(groups.get(sent.group) ?? []), op.t - sent.t]);
    }
    const title = `${p.subject[0]?.toUpperCase()}${p.subject.slice(1)}s arrive promptly`;
    const expected = `p${p.percentile} latency at most ${p.maxMs} ms${p.groupBy ? ` in each ${p.groupBy}` : ''}`;
    if (groups.size === 0) {
      return { title, status: 'unknown', expected, observed: 'nothing arrived, so latency could not be measured', examples: [] };
    }
    const stats = [...groups].map(([group, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return { group, value: percentile(sorted, p.percentile), text: `p50 ${percentile(sorted, 50)} ms, p${p.percentile} ${percentile(sorted, p.percentile)} ms, max ${sorted.at(-1)} ms over ${sorted.length}` };
    });
    const slow = stats.filter((s) => s.value > p.maxMs);
    // Latency is measured over what arrived; what never did is another check's to judge.
    const missing = [...sentAt.keys()].filter((key) => !seen.has(key)).length;
    const uncounted = missing > 0 ? ` (${countOf(missing, sentAt.size, p.subject)} never arrived and ${missing === 1 ? 'is' : 'are'} not counted here)` : '';
    const label = (s: (typeof stats)[number]) => (p.groupBy ? `${p.groupBy} ${s.group}: ${s.text}` : s.text);
    return {
      title,
      status: slow.length === 0 ? 'pass' : 'fail',
      expected,
      observed: `${(slow.length > 0 ? slow : stats).map(label).join('; ')}${uncounted}`,
      examples: [],
    };
  },
};
