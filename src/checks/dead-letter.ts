/**
 * dead-lettered-after-attempts
 *
 * Definitions:
 * - poison message: a message the lab produced with tag `poisonTag`; every attempt to
 *   process it fails (the downstream answers 500 for it, always).
 * - flaky message: tag `flakyTag`; its first attempt fails, the next one succeeds.
 * - attempt: one `call` to the downstream for that key. Counted by the downstream itself, so
 *   the learner's program cannot miscount it. A completed attempt got an answer (outcome ok
 *   or fail); a cut attempt was in flight when the lab killed the caller (outcome info): the
 *   program may or may not count it, so it may or may not be repeated.
 * - exactly N attempts, given c completed and k cut ones: c <= N <= c + k.
 * - dead-lettered: the lab found the message in the dead-letter queue (a `dead-letter`
 *   operation with its key) after the run.
 * - reason kept: the dead-lettered message says why: RabbitMQ's x-death header (added when
 *   the broker dead-letters) or an x-last-error header the learner's program set.
 *
 * Passes when every poison message was attempted exactly `attempts` times, dead-lettered
 * once, with a reason, and no other message was dead-lettered.
 *
 * Causes, from the evidence, one per message (the first that applies); the failure is named
 * by the cause most messages show:
 * - retried-forever: more than twice the attempts allowed, and never dead-lettered.
 * - count-reset-by-restart: more attempts than allowed, and the program was killed between
 *   this message's attempts: the count lived in the program's memory.
 * - too-many-attempts: a few attempts too many (an off-by-one limit).
 * - too-few-attempts: dead-lettered (or given up) before `attempts` attempts, or flaky
 *   messages dead-lettered after their first failure.
 * - dropped: attempted the right number of times, then gone: not in the dead-letter queue.
 * - no-reason: dead-lettered without x-death or x-last-error.
 * - dead-lettered-twice: the same message is in the dead-letter queue more than once.
 * - body-changed: the dead-lettered copy is not the message as it came (a field of
 *   `bodyFields` differs or is gone, or its messageId is gone): nobody can tell any more
 *   which task failed, or retry it.
 */
import { killTimes } from '../faults/events.js';
import type { Operation } from '../runner/history.js';
import { type CheckDefinition, type Selector, firstFew, num, select, selector, str, tagsOf } from './types.js';
import { consumeValue, produceValue } from '../runner/messages.js';

export interface DeadLetterParams {
  subject: string;
  attempts: number;
  poisonTag: string;
  flakyTag: string;
  calls: Selector;
  deadLetters: Selector;
  /** Fields of the message body the dead-lettered copy must keep as they were sent. */
  bodyFields: string[];
}

export type DeadLetterCause = 'count-reset-by-restart' | 'retried-forever' | 'too-many-attempts' | 'too-few-attempts' | 'dropped' | 'no-reason' | 'dead-lettered-twice' | 'body-changed';

export const DEAD_LETTER_CAUSES: Record<DeadLetterCause, string> = {
  'count-reset-by-restart':
    'The attempt count started over when your program was restarted: it was kept in the program\'s memory. Keep it with the message, where a crash cannot lose it: a quorum queue\'s delivery count (x-delivery-limit), or a header you set when you republish the message.',
  'retried-forever': 'A message that always fails was retried again and again. Count the attempts and, after the last one, move the message to the dead-letter queue.',
  'too-many-attempts': 'A failing message was attempted a few times too many: check your limit. The first attempt counts too; a quorum queue\'s x-delivery-limit counts redeliveries, not attempts.',
  'too-few-attempts': 'Messages were given up on too early. Every message gets all its attempts before it is dead-lettered, and one that fails once may well succeed the next time.',
  dropped: 'After its last attempt the message was dropped instead of dead-lettered: nack(requeue=false) on a queue without a dead-letter exchange discards it. Give the queue x-dead-letter-exchange and x-dead-letter-routing-key, or publish it to the dead-letter queue yourself, then ack.',
  'no-reason': 'Dead-lettered messages must say why: let RabbitMQ dead-letter them (it adds x-death) or set an x-last-error header with the last error when you move them yourself.',
  'dead-lettered-twice': 'A message reached the dead-letter queue twice: publish it there and ack the original in the right order, and only once.',
  'body-changed': 'The dead-lettered copy is not the task as it came: keep its body unchanged and its messageId (copy the message properties when you republish), so whoever looks at the dead-letter queue can tell which task failed and retry it.',
};

export const deadLetteredAfterAttempts: CheckDefinition<DeadLetterParams> = {
  name: 'dead-lettered-after-attempts',
  causes: DEAD_LETTER_CAUSES,
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    attempts: num(raw, 'attempts'),
    poisonTag: str(raw, 'poisonTag', 'poison'),
    flakyTag: str(raw, 'flakyTag', 'transient'),
    calls: selector(raw, 'calls'),
    deadLetters: selector(raw, 'deadLetters'),
    bodyFields: Array.isArray(raw.bodyFields) ? (raw.bodyFields as string[]) : [],
  }),
  run(history, p) {
    const produced = history.filter((op) => op.kind === 'produce' && op.outcome === 'ok');
    const poison = produced.filter((op) => tagsOf(op).includes(p.poisonTag));
    const others = new Map(produced.filter((op) => !tagsOf(op).includes(p.poisonTag)).map((op) => [op.key ?? '', op]));
    const callsOf = new Map<string, Operation[]>();
    for (const op of select(history, p.calls)) callsOf.set(op.key ?? '', [...(callsOf.get(op.key ?? '') ?? []), op]);
    const deadLettered = new Map<string, Operation[]>();
    for (const op of select(history, p.deadLetters, 'ok')) deadLettered.set(op.key ?? '', [...(deadLettered.get(op.key ?? '') ?? []), op]);
    const kills = killTimes(history);

    const found = new Map<DeadLetterCause, string[]>();
    const note = (cause: DeadLetterCause, text: string) => found.set(cause, [...(found.get(cause) ?? []), text]);
    const n = p.attempts;
    for (const op of poison) {
      const key = op.key ?? '';
      const calls = callsOf.get(key) ?? [];
      const completed = calls.filter((c) => c.outcome !== 'info').length;
      const cut = calls.length - completed;
      const copies = deadLettered.get(key) ?? [];
      const tally = `${calls.length} time${calls.length === 1 ? '' : 's'}${cut > 0 ? ` (${cut} cut short by a kill)` : ''}`;
      if (completed > n) {
        const first = calls[0]?.t ?? 0;
        const last = calls[calls.length - 1]?.t ?? 0;
        const killBetween = kills.find((t) => t > first && t < last);
        if (copies.length === 0 && completed > 2 * n) note('retried-forever', `${key} was attempted ${tally} (expected exactly ${n}) and never dead-lettered`);
        else if (killBetween !== undefined) note('count-reset-by-restart', `${key} was attempted ${tally}, expected ${n}: the count started over after your program was killed at ${(killBetween / 1000).toFixed(1)}s, between its attempts`);
        else note('too-many-attempts', `${key} was attempted ${tally}, expected exactly ${n}`);
      } else if (completed + cut < n) {
        note('too-few-attempts', calls.length === 0 ? `${key} was never attempted: nothing called the downstream for it` : `${key} was attempted only ${tally}, expected ${n}${copies.length > 0 ? ', then dead-lettered' : ''}`);
      } else if (copies.length === 0) {
        note('dropped', `${key} was attempted ${tally}, then disappeared: it is not in the dead-letter queue`);
      }
      if (copies.length > 1) note('dead-lettered-twice', `${key} is in the dead-letter queue ${copies.length} times`);
      if (copies.length > 0 && !copies.some((d) => Boolean(consumeValue(d).reason))) {
        note('no-reason', `${key} reached the dead-letter queue without a reason (no x-death or x-last-error header)`);
      }
      const sentBody = produceValue(op);
      const copy = copies[0] && consumeValue(copies[0]);
      if (copy && p.bodyFields.length > 0) {
        const changed = p.bodyFields.filter((field) => JSON.stringify(copy.body?.[field]) !== JSON.stringify(sentBody[field]));
        if (changed.length > 0 || !copy.messageId) {
          note('body-changed', `${key} reached the dead-letter queue ${changed.length > 0 ? `with ${changed.map((f) => `"${f}"`).join(', ')} changed or missing` : 'without its messageId'}`);
        }
      }
    }
    for (const key of deadLettered.keys()) {
      const op = others.get(key);
      if (!op) continue;
      const tried = (callsOf.get(key) ?? []).length;
      const what = tagsOf(op).includes(p.flakyTag) ? `a flaky ${p.subject} (its first attempt fails, the next one succeeds)` : `a healthy ${p.subject}`;
      note('too-few-attempts', `${key}, ${what}, was dead-lettered after ${tried} attempt${tried === 1 ? '' : 's'}`);
    }

    const title = `Poison ${p.subject}s are dead-lettered after exactly ${n} attempts`;
    const expected = `each of the ${poison.length} poison ${p.subject}s is attempted exactly ${n} times, then moved to the dead-letter queue with its reason; no other ${p.subject} is`;
    if (poison.length === 0) return { title, status: 'unknown', expected, observed: 'the lab sent no poison messages', examples: [] };
    if (found.size === 0) return { title, status: 'pass', expected, observed: `all ${poison.length} dead-lettered after ${n} attempts, with a reason`, examples: [] };

    const ORDER: DeadLetterCause[] = ['retried-forever', 'count-reset-by-restart', 'too-many-attempts', 'too-few-attempts', 'dropped', 'no-reason', 'dead-lettered-twice', 'body-changed'];
    const SAY: Record<DeadLetterCause, (k: number) => string> = {
      'count-reset-by-restart': (k) => `${k} attempted again from the start after a restart`,
      'retried-forever': (k) => `${k} retried without end`,
      'too-many-attempts': (k) => `${k} attempted more than ${n} times`,
      'too-few-attempts': (k) => `${k} given up on too early`,
      dropped: (k) => `${k} dropped instead of dead-lettered`,
      'no-reason': (k) => `${k} dead-lettered without a reason`,
      'dead-lettered-twice': (k) => `${k} dead-lettered more than once`,
      'body-changed': (k) => `${k} dead-lettered as something other than the task that came`,
    };
    // Listed most frequent first (ties in ORDER); the most frequent names the failure.
    const causes = ORDER.filter((c) => found.has(c)).sort((a, b) => (found.get(b)?.length ?? 0) - (found.get(a)?.length ?? 0));
    const cause = causes[0] ?? 'too-many-attempts';
    return {
      title,
      status: 'fail',
      expected,
      observed: causes.map((c) => SAY[c](found.get(c)?.length ?? 0)).join(', '),
      examples: firstFew(causes.flatMap((c) => found.get(c) ?? [])),
      cause,
    };
  },
};
