/**
 * in-order
 *
 * Definitions:
 * - send order: the order in which the lab's `produce` operations (outcome "ok") happened,
 *   per group (`groupBy`: "stream" = per channel/queue/topic, "partition" = per Kafka
 *   partition, or a field of the produced value such as "customerId" = per entity).
 * - arrival order: the order of the first `delivered` operation of each key.
 * - reordered pair: two keys a, b of one group where a was sent before b but b arrived
 *   before a. Only first arrivals count, so a legitimate redelivery is not a reordering.
 */
import type { Operation } from '../runner/history.js';
import { type CheckDefinition, type Selector, firstFew, select, selector, str } from './types.js';
import { fieldsOf } from '../runner/messages.js';

export interface OrderParams {
  subject: string;
  sent: Selector;
  delivered: Selector;
  groupBy: string;
}

function groupOf(op: Operation, groupBy: string): string {
  if (groupBy === 'stream') return op.stream ?? '';
  if (groupBy === 'partition') return String(op.partition ?? '');
  return String(fieldsOf(op)[groupBy] ?? '');
}

export const inOrder: CheckDefinition<OrderParams> = {
  name: 'in-order',
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    sent: selector(raw, 'sent'),
    delivered: selector(raw, 'delivered'),
    groupBy: str(raw, 'groupBy', 'stream'),
  }),
  run(history, p) {
    const sendIndex = new Map<string, { group: string; index: number }>();
    const perGroupCount = new Map<string, number>();
    for (const op of select(history, p.sent, 'ok')) {
      if (op.key === undefined || sendIndex.has(op.key)) continue;
      const group = groupOf(op, p.groupBy);
      const index = perGroupCount.get(group) ?? 0;
      perGroupCount.set(group, index + 1);
      sendIndex.set(op.key, { group, index });
    }
    const seen = new Set<string>();
    const lastArrived = new Map<string, { key: string; index: number }>();
    const inversions: string[] = [];
    for (const op of select(history, p.delivered, 'ok')) {
      if (op.key === undefined || seen.has(op.key)) continue;
      seen.add(op.key);
      const sent = sendIndex.get(op.key);
      if (!sent) continue;
      const previous = lastArrived.get(sent.group);
      if (previous && previous.index > sent.index) {
        inversions.push(
          `${op.key} (sent #${sent.index + 1}) arrived after ${previous.key} (sent #${previous.index + 1})`,
        );
      }
      if (!previous || sent.index > previous.index) lastArrived.set(sent.group, { key: op.key, index: sent.index });
    }
    const title = `${p.subject[0]?.toUpperCase()}${p.subject.slice(1)}s arrive in the order they were sent`;
    const expected = `${p.subject}s arrive in send order${p.groupBy === 'stream' ? '' : ` within each ${p.groupBy}`}`;
    if (seen.size === 0) {
      return { title, status: 'unknown', expected, observed: 'nothing arrived, so order could not be judged', examples: [] };
    }
    if (inversions.length === 0) {
      return { title, status: 'pass', expected, observed: `${seen.size} arrived, all in order`, examples: [] };
    }
    return {
      title,
      status: 'fail',
      expected,
      observed: `${inversions.length} ${p.subject}${inversions.length === 1 ? '' : 's'} arrived out of order`,
      examples: firstFew(inversions, 3),
    };
  },
};
