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
import type { History, Operation } from '../runner/history.js';
import { type CheckDefinition, type Selector, firstFew, select, selector, str } from './types.js';
import { fieldsOf } from '../runner/messages.js';

export interface OrderParams {
  subject: string;
  sent: Selector;
  delivered: Selector;
  groupBy: string;
}

export function groupOf(op: Operation, groupBy: string): string {
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
    const { seen, inversions: found } = inversions(history, p.sent, p.delivered, (op) => groupOf(op, p.groupBy));
    const inversionTexts = found.map((i) => `${i.late.key} (sent #${i.lateIndex + 1}) arrived after ${i.overtaker.key} (sent #${i.overtakerIndex + 1})`);
    const title = `${p.subject[0]?.toUpperCase()}${p.subject.slice(1)}s arrive in the order they were sent`;
    const expected = `${p.subject}s arrive in send order${p.groupBy === 'stream' ? '' : ` within each ${p.groupBy}`}`;
    if (seen === 0) {
      return { title, status: 'unknown', expected, observed: 'nothing arrived, so order could not be judged', examples: [] };
    }
    if (inversionTexts.length === 0) {
      return { title, status: 'pass', expected, observed: `${seen} arrived, all in order`, examples: [] };
    }
    return {
      title,
      status: 'fail',
      expected,
      observed: `${inversionTexts.length} ${p.subject}${inversionTexts.length === 1 ? '' : 's'} arrived out of order`,
      examples: firstFew(inversionTexts, 3),
    };
  },
};

/** One message that arrived after a message of its group sent later than it. */
export interface Inversion {
  /** The first delivery of the message that came late. */
  late: Operation;
  /** Its place in its group's send order (0-based). */
  lateIndex: number;
  /** The first delivery of the latest-sent message of the group that had arrived before it. */
  overtaker: Operation;
  overtakerIndex: number;
  group: string;
}

/**
 * Reordered first deliveries (pure): each delivered key, in the order of its first delivery,
 * that arrived after a key of its group sent later. Only first deliveries count, so a
 * legitimate redelivery is not a reordering. `seen`: how many keys arrived at all.
 */
export function inversions(history: History, sent: Selector, delivered: Selector, groupOfSent: (op: Operation) => string): { seen: number; inversions: Inversion[] } {
  const sendIndex = new Map<string, { group: string; index: number }>();
  const perGroupCount = new Map<string, number>();
  for (const op of select(history, sent, 'ok')) {
    if (op.key === undefined || sendIndex.has(op.key)) continue;
    const group = groupOfSent(op);
    const index = perGroupCount.get(group) ?? 0;
    perGroupCount.set(group, index + 1);
    sendIndex.set(op.key, { group, index });
  }
  const seen = new Set<string>();
  const lastArrived = new Map<string, { op: Operation; index: number }>();
  const found: Inversion[] = [];
  for (const op of select(history, delivered, 'ok')) {
    if (op.key === undefined || seen.has(op.key)) continue;
    seen.add(op.key);
    const at = sendIndex.get(op.key);
    if (!at) continue;
    const previous = lastArrived.get(at.group);
    if (previous && previous.index > at.index) found.push({ late: op, lateIndex: at.index, overtaker: previous.op, overtakerIndex: previous.index, group: at.group });
    if (!previous || at.index > previous.index) lastArrived.set(at.group, { op, index: at.index });
  }
  return { seen: seen.size, inversions: found };
}
